namespace AspireMmRag.Benchmarks;

/// <summary>Paths in the repository the bench apps run from.</summary>
public static class Repository
{
    /// <summary>The folder holding AspireMmRag.sln, searched upwards from the binaries, then from the working directory.</summary>
    public static string Root()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AspireMmRag.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException("AspireMmRag.sln not found above the benchmark binaries or the working directory.");
    }

    /// <summary>docs/benchmarks.md, where every bench app writes its section.</summary>
    public static string BenchmarksDocument() => Path.Combine(Root(), "docs", "benchmarks.md");

    /// <summary>services/Name/bin/&lt;this configuration&gt;/net10.0/Name.dll, which building <paramref name="benchProject"/> produces.</summary>
    public static string ServiceDll(string service, string benchProject)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(Root(), "services", service, "bin", configuration,
            $"net{Environment.Version.Major}.{Environment.Version.Minor}", $"{service}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException(
            $"{dll} does not exist. Build the benchmark first: dotnet build {benchProject} -c {configuration}", dll);
    }
}
