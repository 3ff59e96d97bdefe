using System.Diagnostics;
using System.Globalization;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>CPU used over an interval, as shares (percent) of the machine's capacity (cores × wall time).</summary>
public sealed record CpuUsage(IReadOnlyList<(string Name, double Share)> Processes, double Other, double Seconds)
{
    /// <summary>"gateway 41 %, embedder 52 %, benchmark 5 %, other 1 %".</summary>
    public string Text => string.Join(", ", Processes.Select(p => $"{p.Name} {p.Share:F0} %").Append($"other {Other:F0} %"));

    /// <summary>The time-weighted mean of several intervals.</summary>
    public static CpuUsage Combine(IReadOnlyList<CpuUsage> parts)
    {
        if (parts.Count == 0)
        {
            return new CpuUsage([], double.NaN, 0);
        }
        var seconds = parts.Sum(p => p.Seconds);
        var names = parts[0].Processes.Select(p => p.Name).ToArray();
        return new CpuUsage(
            [.. names.Select((name, i) => (name, parts.Sum(p => p.Processes[i].Share * p.Seconds) / seconds))],
            parts.Sum(p => p.Other * p.Seconds) / seconds,
            seconds);
    }
}

/// <summary>
/// CPU time of the gateway process, the embedder process and this benchmark over an interval, and of the whole machine
/// (from /proc/stat): what each side spent, and how much went to anything else on the machine (the disturbance gauge).
/// </summary>
public sealed class CpuSample
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly IReadOnlyList<(string Name, int Pid)> _processes;
    private readonly double[] _startProcess;
    private readonly (double Busy, double Total) _startMachine;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    private CpuSample(IReadOnlyList<(string Name, int Pid)> processes)
    {
        _processes = processes;
        _startProcess = [.. processes.Select(p => ProcessSeconds(p.Pid))];
        _startMachine = MachineTicks();
    }

    public static CpuSample Start(params (string Name, int Pid)[] processes) => new([.. processes, ("benchmark", Environment.ProcessId)]);

    public CpuUsage Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var capacity = wall * Environment.ProcessorCount;
        var shares = new List<(string, double)>();
        double ours = 0;
        for (var i = 0; i < _processes.Count; i++)
        {
            var used = ProcessSeconds(_processes[i].Pid) - _startProcess[i];
            ours += used;
            shares.Add((_processes[i].Name, 100 * used / capacity));
        }
        var machine = MachineTicks();
        var busyShare = machine.Total > _startMachine.Total ? (machine.Busy - _startMachine.Busy) / (machine.Total - _startMachine.Total) : double.NaN;
        var other = double.IsNaN(busyShare) ? 0 : Math.Max(0, 100 * (busyShare - ours / capacity));
        return new CpuUsage(shares, other, wall);
    }
    private static double ProcessSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: state is field 3, utime 14 and stime 15 (1-based) → indexes 11 and 12 here.
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static (double Busy, double Total) MachineTicks()
    {
        try
        {
            var values = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Take(8).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + values[4]; // idle + iowait
            var total = values.Sum();
            return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return (0, 0);
        }
    }
}
