using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AspireMmRag.Benchmarks;

namespace AspireMmRag.VectorStore.Benchmarks;

internal static class MachineInfo
{
    public static string Describe()
    {
        var memoryGb = MachineFacts.MemoryGigabytes() is { } gb ? $"{gb:F0} GB RAM" : "RAM unknown";
        var simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "no wide SIMD";
        return $"{Environment.ProcessorCount} cores ({MachineFacts.Cpu()}, {simd}), {memoryGb}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>The 1/5/15-minute load averages (other processes share these cores).</summary>
    public static string LoadAverage() => MachineFacts.LoadAverages();

    public static long WorkingSetMegabytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024 * 1024);
    }
}
