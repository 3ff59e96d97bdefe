using System.Runtime.InteropServices;
using AspireMmRag.Embedder.Benchmarks;

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchSettings.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the finally blocks stop the child processes and delete the temporary folders
    cancel.Cancel();
};
// SIGTERM too: cancel and clean up (the default would exit without running the finally blocks).
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

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
    ChildProcesses.KillAll();
}
return 0;
