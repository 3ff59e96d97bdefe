namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// Measures in blocks and throws a block away (and measures it again) when other processes used more than
/// <see cref="MaxOtherShare"/> % of the machine's CPU during it: other work on these shared cores would otherwise set the
/// figures. At most <see cref="MaxDiscards"/> blocks per measurement are thrown away; after that the disturbed blocks are
/// kept, and the report says so.
/// </summary>
public static class Undisturbed
{
    public const double MaxOtherShare = 15;
    public const int MaxDiscards = 6;

    public sealed record Outcome<T>(IReadOnlyList<T> Items, int Discarded, int DisturbedKept, double MaxOther, CpuUsage Cpu)
    {
        public string Describe() =>
            $"{Discarded} block{(Discarded == 1 ? "" : "s")} discarded (other processes above {MaxOtherShare:F0} % CPU)" +
            (DisturbedKept > 0 ? $", **{DisturbedKept} disturbed block{(DisturbedKept == 1 ? "" : "s")} kept** (no repeats left)" : "") +
            $"; largest other-process share in a kept block {MaxOther:F0} %";
    }

    /// <summary>Runs <paramref name="measure"/> <paramref name="count"/> times (its argument counts every call, kept or not), in blocks of <paramref name="block"/>.</summary>
    public static async Task<Outcome<T>> CollectAsync<T>(int count, int block, (string Name, int Pid)[] processes, Func<int, Task<T>> measure)
    {
        var kept = new List<T>();
        var usages = new List<CpuUsage>();
        var discarded = 0;
        var disturbedKept = 0;
        var calls = 0;
        while (kept.Count < count)
        {
            var size = Math.Min(block, count - kept.Count);
            var items = new List<T>(size);
            var cpu = CpuSample.Start(processes);
            for (var i = 0; i < size; i++)
            {
                items.Add(await measure(calls++));
            }
            var usage = cpu.Stop();
            if (usage.Other > MaxOtherShare)
            {
                if (discarded < MaxDiscards)
                {
                    discarded++;
                    Console.WriteLine($"    block discarded: other processes used {usage.Other:F0} % of the CPU");
                    continue;
                }
                disturbedKept++;
            }
            kept.AddRange(items);
            usages.Add(usage);
        }
        return new Outcome<T>(kept, discarded, disturbedKept, usages.Max(u => u.Other), CpuUsage.Combine(usages));
    }
}
