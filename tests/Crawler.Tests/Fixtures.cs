namespace AspireMmRag.Crawler.Tests;

/// <summary>The fixture files under Fixtures/ (copied to the output folder).</summary>
public static class Fixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static bool Exists(string name) => File.Exists(PathOf(name));

    public static string Read(string name) => File.ReadAllText(PathOf(name));
}
