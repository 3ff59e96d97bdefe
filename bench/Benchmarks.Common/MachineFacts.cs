using System.Globalization;
using System.Runtime.InteropServices;

namespace AspireMmRag.Benchmarks;

/// <summary>The machine the figures come from (from /proc and /etc/os-release where they exist), and its load.</summary>
public static class MachineFacts
{
    /// <summary>"2 cores (AMD EPYC), 24 GB RAM, Debian GNU/Linux 12 (bookworm), .NET 10.0.0".</summary>
    public static string Describe()
    {
        var memory = MemoryGigabytes() is { } gb ? $"{gb:F0} GB RAM" : "RAM unknown";
        return $"{Environment.ProcessorCount} cores ({Cpu()}), {memory}, {Distribution() ?? RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The CPU model name, else the process architecture.</summary>
    public static string Cpu() => ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    /// <summary>Total memory in GB (from /proc/meminfo), or null.</summary>
    public static double? MemoryGigabytes() =>
        ReadField("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb)
            ? kb / 1024.0 / 1024 : null;

    /// <summary>PRETTY_NAME from /etc/os-release, or null.</summary>
    public static string? Distribution() => ReadField("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"');

    /// <summary>The 1/5/15-minute load averages, "0.52 / 0.61 / 0.70" (other processes share these cores).</summary>
    public static string LoadAverages()
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

    /// <summary>The 1-minute load average (0 where /proc/loadavg does not exist).</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load)
            ? load : 0;

    /// <summary>The value of the first "name: value" line of <paramref name="path"/>, or null.</summary>
    public static string? ReadField(string path, string name, char separator = ':')
    {
        try
        {
            return File.ReadLines(path)
                .Select(line => line.Split(separator, 2))
                .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
                .Select(parts => parts[1].Trim())
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
