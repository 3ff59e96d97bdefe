using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AspireMmRag.VectorStore.Benchmarks;

internal static class MachineInfo
{
    public static string Describe()
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadFirst("/proc/meminfo", "MemTotal");
        var memoryGb = memory is not null && long.TryParse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? $"{kb / 1024.0 / 1024.0:F0} GB RAM"
            : "RAM unknown";
        var simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "no wide SIMD";
        return $"{Environment.ProcessorCount} cores ({cpu}, {simd}), {memoryGb}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>The 1/5/15-minute load averages (other processes share these cores).</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} / {parts[1]} / {parts[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static long WorkingSetMegabytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024 * 1024);
    }

    private static string? ReadFirst(string path, string key)
    {
        try
        {
            return File.ReadLines(path)
                .Where(line => line.StartsWith(key, StringComparison.Ordinal))
                .Select(line => line[(line.IndexOf(':') + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
