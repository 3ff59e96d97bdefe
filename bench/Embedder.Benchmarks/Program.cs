using AspireMmRag.Benchmarks;
using AspireMmRag.Embedder.Benchmarks;

if (!BenchRun.TryParse(() => BenchSettings.Parse(args), BenchSettings.Usage, out var settings) || settings is null)
{
    return 2;
}

using var cancel = BenchRun.CancelOnSignals();

var report = new Report(settings);
Console.WriteLine($"Embedder benchmarks ({(settings.Quick ? "quick" : "full")} mode) on {report.Machine.Summary}");
Console.WriteLine($"Load average at start: {MachineInfo.LoadAverage()}");

using var assets = BenchAssets.Create();
try
{
    if (settings.RunGrpc)
    {
        report.Write(await GrpcBatchingBenchmark.RunAsync(settings, assets, cancel.Token));
    }
    if (settings.RunReplicas)
    {
        report.Write(await ReplicasBenchmark.RunAsync(settings, assets, cancel.Token));
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
finally
{
    ChildProcess.KillAll();
}
return 0;
