using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AspireMmRag.AppHost.Extensions;

/// <summary>
/// Where the infrastructure runs. <c>container</c>: RabbitMQ, Milvus and Ollama as containers (needs Docker or Podman).
/// <c>local</c>: no container runtime — RabbitMQ as a local <c>rabbitmq-server</c>, the embedded vector store.
/// <c>Infra:Mode</c> chooses; unset or <c>auto</c> asks the container runtime whether it answers.
/// </summary>
public enum InfraMode
{
    Container,
    Local,
}

public static class InfraModeDetector
{
    /// <param name="runtimeAnswers">Whether a container runtime (docker, podman) answers; by default `{runtime} info` is run.</param>
    public static InfraMode Detect(IConfiguration configuration, Action<string> log, Func<string, bool>? runtimeAnswers = null)
    {
        runtimeAnswers ??= RuntimeAnswers;
        var configured = configuration["Infra:Mode"];
        if (string.Equals(configured, "container", StringComparison.OrdinalIgnoreCase))
        {
            return InfraMode.Container;
        }
        if (string.Equals(configured, "local", StringComparison.OrdinalIgnoreCase))
        {
            return InfraMode.Local;
        }
        if (!string.IsNullOrEmpty(configured) && !string.Equals(configured, "auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Infra:Mode '{configured}' is not one of container, local, auto.");
        }

        foreach (var runtime in new[] { "docker", "podman" })
        {
            if (runtimeAnswers(runtime))
            {
                log($"Infra:Mode auto: {runtime} answers, running the infrastructure as containers.");
                return InfraMode.Container;
            }
        }
        log("Infra:Mode auto: no container runtime answers (docker/podman info), running the infrastructure as local processes.");
        return InfraMode.Local;
    }

    /// <summary>The container runtime Aspire uses: <c>ASPIRE_CONTAINER_RUNTIME</c> (<c>docker</c> or <c>podman</c>), docker by default.</summary>
    public static string ContainerRuntime(IConfiguration configuration) =>
        configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } runtime ? runtime.ToLowerInvariant() : "docker";

    /// <summary>True when `{runtime} info` succeeds within a few seconds: the client exists AND its engine responds.</summary>
    public static bool RuntimeAnswers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ID}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(8)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
