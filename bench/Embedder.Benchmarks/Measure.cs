using System.Diagnostics;
using System.Globalization;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.Embedder.Benchmarks;

/// <summary>One timed run: how many items were embedded, how long it took, and the share of the machine's CPU that
/// processes other than the benchmark and its embedders used meanwhile (a disturbance gauge; NaN where unknown).</summary>
public readonly record struct Sample(long Items, TimeSpan Elapsed, double OtherCpu = double.NaN)
{
    public double ItemsPerSecond => Items / Elapsed.TotalSeconds;
}

/// <summary>Repeated runs of one measurement; figures are reported as the median items/s.</summary>
public sealed class Series(string name, IEnumerable<Sample> samples)
{
    private readonly Sample[] _samples = [.. samples];

    public string Name { get; } = name;
    public IReadOnlyList<Sample> Samples => _samples;
    public double Median => Percentile(0.5);
    public double Min => _samples.Min(s => s.ItemsPerSecond);
    public double Max => _samples.Max(s => s.ItemsPerSecond);
    public double MeanSeconds => _samples.Average(s => s.Elapsed.TotalSeconds);
    public double MaxOtherCpu => _samples.Max(s => s.OtherCpu);

    private double Percentile(double p)
    {
        var sorted = _samples.Select(s => s.ItemsPerSecond).Order().ToArray();
        var position = p * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>The largest share of the CPU other processes took during a run, e.g. "3 %".</summary>
    public string DescribeOtherCpu() => double.IsNaN(MaxOtherCpu) ? "n/a" : $"{MaxOtherCpu * 100:F0} %";

    /// <summary>"median (min–max)" with one decimal.</summary>
    public string Describe() => _samples.Length == 1 ? $"{Median:F1}" : $"{Median:F1} ({Min:F1}–{Max:F1})";
}

/// <summary>The accepted runs of a repeated measurement (one sample per side and run), and what was thrown away.</summary>
public sealed record Repeated(long Items, IReadOnlyList<Sample[]> Runs, int Disturbed, int Recalibrated)
{
    public Series Side(int index, string name) => new(name, Runs.Select(run => run[index]));

    public string DescribeDiscarded() => (Disturbed, Recalibrated) switch
    {
        (0, 0) => "none",
        var (d, r) => string.Join(", ", new[] { d > 0 ? $"{d} disturbed" : null, r > 0 ? $"{r} too short" : null }.OfType<string>()),
    };
}

public static class Measure
{
    /// <summary>A run is repeated when other processes took more than this share of the CPU during it.</summary>
    public const double DisturbedOtherCpu = 0.15;

    // Repeats of disturbed runs left for the whole program: a lasting disturbance must not make the benchmark run forever.
    private static int s_disturbedRepeatsLeft = -1;

    /// <summary>
    /// Runs <paramref name="runOnce"/>(items) until <see cref="BenchSettings.Repeats"/> runs are accepted. Each run returns one
    /// sample per side (e.g. direct and gRPC, run back to back). A run whose first side took less than 90 % of the target
    /// time (the warm-up underestimated the rate) resizes the item count and starts over; a run during which other
    /// processes took more than <see cref="DisturbedOtherCpu"/> of the CPU is repeated. Both are limited and reported.
    /// </summary>
    public static async Task<Repeated> RepeatAsync(BenchSettings settings, long items, int multiple, string[] sides,
        Func<long, Task<Sample[]>> runOnce)
    {
        var accepted = new List<Sample[]>();
        int disturbed = 0, recalibrated = 0;
        Interlocked.CompareExchange(ref s_disturbedRepeatsLeft, settings.Quick ? 2 : 6, -1);
        while (accepted.Count < settings.Repeats)
        {
            var run = await runOnce(items);
            for (var i = 0; i < run.Length; i++)
            {
                Print(sides[i], run[i]);
            }
            if (run[0].Elapsed < settings.MeasureTarget * 0.9 && recalibrated < 2)
            {
                recalibrated++;
                items = ItemsFor(run[0].ItemsPerSecond, settings.MeasureTarget, multiple);
                accepted.Clear();
                Console.WriteLine($"    (shorter than {settings.MeasureTarget.TotalSeconds:F0} s: resized to {items} items, starting over)");
                continue;
            }
            if (run.Any(sample => sample.OtherCpu > DisturbedOtherCpu) && Interlocked.Decrement(ref s_disturbedRepeatsLeft) >= 0)
            {
                disturbed++;
                Console.WriteLine($"    (other processes took over {DisturbedOtherCpu:P0} of the CPU: run discarded and repeated)");
                continue;
            }
            accepted.Add(run);
        }
        return new Repeated(items, accepted, disturbed, recalibrated);
    }

    public static void Print(string name, Sample sample) =>
        Console.WriteLine($"    {name,-34} {sample.Items,7} items in {sample.Elapsed.TotalSeconds,6:F2} s = {sample.ItemsPerSecond,8:F1} items/s  (other processes: {sample.OtherCpu:P0} CPU)");

    /// <summary>
    /// Closed-loop load: <paramref name="callers"/> concurrent callers each send one item at a time, taking item indexes
    /// from a shared counter, until <paramref name="maxItems"/> items are done or (when given) <paramref name="stopIssuingAfter"/>
    /// has passed; calls already sent then finish. The sample covers the first call to the last completion.
    /// </summary>
    public static async Task<Sample> ClosedLoopAsync(int callers, long maxItems, TimeSpan? stopIssuingAfter,
        Func<long, CancellationToken, Task> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var next = -1L;
        var done = 0L;
        var stopAt = stopIssuingAfter is { } stop ? Stopwatch.GetTimestamp() + (long)(stop.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var cpu = CpuMonitor.Start();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= maxItems)
                {
                    return;
                }
                await call(index, deadline.Token).ConfigureAwait(false);
                Interlocked.Increment(ref done);
            }
        }, deadline.Token)).ToArray();
        try
        {
            await Task.WhenAll(workers).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            throw new TimeoutException($"A closed-loop run did not finish within {timeout.TotalSeconds:F0} s ({Interlocked.Read(ref done)} items done).", ex);
        }
        return new Sample(Interlocked.Read(ref done), clock.Elapsed, cpu.OtherShare());
    }

    /// <summary>
    /// Direct batched inference on the calling thread: <paramref name="runBatch"/>(first index, count) for consecutive
    /// batches of <paramref name="batchSize"/> until <paramref name="maxItems"/> items are done or (when given)
    /// <paramref name="stopAfter"/> has passed, and at least <paramref name="minBatches"/> batches ran.
    /// With <paramref name="skipFirstBatch"/> (warm-ups), the sample leaves out the first, slow batch.
    /// </summary>
    public static Sample Direct(int batchSize, long maxItems, TimeSpan? stopAfter, int minBatches, Action<long, int> runBatch,
        TimeSpan timeout, CancellationToken cancellationToken, bool skipFirstBatch = false)
    {
        var cpu = CpuMonitor.Start();
        var clock = Stopwatch.StartNew();
        var firstBatch = TimeSpan.Zero;
        var firstCount = 0;
        long done = 0;
        var batches = 0;
        while (done < maxItems && (batches < minBatches || stopAfter is null || clock.Elapsed < stopAfter))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"A direct run did not finish within {timeout.TotalSeconds:F0} s ({done} items done).");
            }
            var count = (int)Math.Min(batchSize, maxItems - done);
            runBatch(done, count);
            done += count;
            batches++;
            if (batches == 1 && skipFirstBatch)
            {
                (firstBatch, firstCount) = (clock.Elapsed, count);
            }
        }
        return batches > 1 ? new Sample(done - firstCount, clock.Elapsed - firstBatch, cpu.OtherShare()) : new Sample(done, clock.Elapsed, cpu.OtherShare());
    }

    /// <summary>How many items make a run of at least <paramref name="target"/> at <paramref name="itemsPerSecond"/>
    /// (with 10 % to spare), rounded up to a multiple of <paramref name="multiple"/>.</summary>
    public static long ItemsFor(double itemsPerSecond, TimeSpan target, int multiple)
    {
        var items = (long)Math.Ceiling(itemsPerSecond * target.TotalSeconds * 1.1 / multiple) * multiple;
        return Math.Max(multiple, items);
    }

    /// <summary>A generous time limit for a run expected to take <paramref name="expected"/>.</summary>
    public static TimeSpan TimeoutFor(TimeSpan expected) => TimeSpan.FromSeconds(Math.Max(120, expected.TotalSeconds * 6));

    public static int LeastCommonMultiple(int a, int b)
    {
        static int Gcd(int x, int y) => y == 0 ? x : Gcd(y, x % y);
        return a / Gcd(a, b) * b;
    }
}

/// <summary>
/// How much of the machine's CPU other processes used over an interval: busy time from /proc/stat minus the time of this
/// process and of the running embedder children (/proc/&lt;pid&gt;/stat), over the machine's total. Steal time counts as other.
/// </summary>
public sealed class CpuMonitor
{
    private readonly (long Busy, long Total) _machine;
    private readonly long _own;

    private CpuMonitor((long, long) machine, long own)
    {
        _machine = machine;
        _own = own;
    }

    public static CpuMonitor Start() => new(MachineTicks(), OwnTicks());

    /// <summary>Other processes' share of all CPU time since <see cref="Start"/>, in [0, 1]; NaN without /proc.</summary>
    public double OtherShare()
    {
        var (busy, total) = MachineTicks();
        var own = OwnTicks();
        var totalDelta = total - _machine.Total;
        if (totalDelta <= 0 || _machine.Total == 0)
        {
            return double.NaN;
        }
        return Math.Clamp((double)(busy - _machine.Busy - (own - _own)) / totalDelta, 0, 1);
    }

    private static (long Busy, long Total) MachineTicks()
    {
        try
        {
            // cpu user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + fields[4];
            var total = fields.Sum();
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    private static long OwnTicks() => ChildProcess.Ids.Append(Environment.ProcessId).Sum(ProcessTicks);

    private static long ProcessTicks(int pid)
    {
        try
        {
            // Fields after the command name: state ppid ... utime (14th field) stime (15th).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
