using DotNet.Testcontainers.Configurations;

namespace AspireMmRag.TestModels;

/// <summary>How a test fixture got a real dependency (RabbitMQ, PostgreSQL).</summary>
public enum TestServiceWay
{
    /// <summary>The server binary installed on this machine (Debian's package), started as a process: CI and this machine.</summary>
    LocalBinary,

    /// <summary>A throwaway container through Testcontainers: a developer machine with Docker (or Podman) and no local server.</summary>
    Container,
}

/// <summary>What <see cref="TestServices.Choose"/> looks at; real probes by default, fakes in the selection's own tests.</summary>
/// <param name="LocalInstalled">True when the local server binary is installed.</param>
/// <param name="ContainerRuntimeAnswers">True when a container runtime answers (asked only without a local server).</param>
/// <param name="OnCi">True under <c>CI=true</c> (the failure says that CI installs the package).</param>
public sealed record TestServiceProbes(Func<bool> LocalInstalled, Func<bool> ContainerRuntimeAnswers, Func<bool> OnCi);

/// <summary>A real dependency that is neither installed nor obtainable as a container: the tests fail with this, never skip.</summary>
public sealed class TestServiceUnavailableException(string message) : InvalidOperationException(message);

/// <summary>
/// The order every fixture of a real dependency picks in: the local server binary when installed; else a throwaway
/// container when a container runtime answers; else a <see cref="TestServiceUnavailableException"/> naming both ways
/// to fix it. Never a skip, on CI (<c>CI=true</c>) or off it. Each choice is logged (<see cref="Log"/>).
/// </summary>
public static class TestServices
{
    private static readonly Lazy<bool> DockerAnswers = new(ProbeContainerRuntime);

    /// <summary>True when Testcontainers found a Docker endpoint (a socket, <c>DOCKER_HOST</c>, Docker Desktop, Podman's
    /// socket set as <c>DOCKER_HOST</c>). Asked once per process (about 0.2 s, then cached by Testcontainers too).</summary>
    public static bool ContainerRuntimeAnswers() => DockerAnswers.Value;

    /// <summary><c>CI=true</c> (any case), as .ci/run sets it.</summary>
    public static bool OnCi() => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The probes of this machine for a server whose local binary is <paramref name="localInstalled"/>.</summary>
    public static TestServiceProbes Probes(Func<bool> localInstalled) => new(localInstalled, ContainerRuntimeAnswers, OnCi);

    /// <summary>Picks the way to run <paramref name="service"/>, or throws the failure naming both fixes.</summary>
    /// <param name="service">Its name in messages ("RabbitMQ").</param>
    /// <param name="package">The Debian package with its local binary ("rabbitmq-server").</param>
    /// <param name="probes">What is on the machine.</param>
    public static TestServiceWay Choose(string service, string package, TestServiceProbes probes)
    {
        if (probes.LocalInstalled())
        {
            return TestServiceWay.LocalBinary;
        }
        if (probes.ContainerRuntimeAnswers())
        {
            return TestServiceWay.Container;
        }
        throw new TestServiceUnavailableException(MissingMessage(service, package, probes.OnCi()));
    }

    /// <summary>The failure for a dependency with neither a local server nor a container runtime.</summary>
    public static string MissingMessage(string service, string package, bool onCi) =>
        $"{service} is needed by these tests, but its server is not installed and no container runtime answers. Either install it " +
        $"('apt-get install {package}'; .ci/run does this) or start Docker (Docker Desktop, a Docker engine, or Podman with " +
        $"DOCKER_HOST set to its socket) so the tests run it in a throwaway container. The tests fail rather than skip" +
        (onCi ? " (CI=true: CI uses the local servers)." : ".");

    /// <summary>Writes which way a fixture took to the console (shown by <c>dotnet test --logger "console;verbosity=detailed"</c>)
    /// and keeps it for <see cref="Choices"/>.</summary>
    public static void Log(string line)
    {
        var stamped = $"[test services] {line}";
        lock (ChoiceList)
        {
            ChoiceList.Add(stamped);
        }
        Console.WriteLine(stamped);
    }

    private static readonly List<string> ChoiceList = [];

    /// <summary>Every line <see cref="Log"/> wrote in this process, for tests that print them to their own output.</summary>
    public static IReadOnlyList<string> Choices
    {
        get
        {
            lock (ChoiceList)
            {
                return ChoiceList.ToList();
            }
        }
    }

    private static bool ProbeContainerRuntime()
    {
        try
        {
            // Null with no runtime (no socket, DOCKER_HOST pointing at nothing): Build() would throw DockerUnavailableException.
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }
}
