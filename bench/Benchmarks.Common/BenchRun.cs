using System.Runtime.InteropServices;

namespace AspireMmRag.Benchmarks;

/// <summary>What every bench app's Main does before and around its run: parse the arguments, cancel on Ctrl+C and SIGTERM.</summary>
public static class BenchRun
{
    /// <summary>Parses the arguments; on an <see cref="ArgumentException"/> prints it and <paramref name="usage"/> and returns false (exit code 2).</summary>
    public static bool TryParse<T>(Func<T> parse, string usage, out T? settings)
    {
        try
        {
            settings = parse();
            return true;
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(usage);
            settings = default;
            return false;
        }
    }

    /// <summary>
    /// A source cancelled by Ctrl+C and SIGTERM (instead of exiting at once, so the finally blocks stop the child processes
    /// and delete the temporary folders); <see cref="ChildProcess.KillAll"/> also runs on process exit. Dispose it at the end.
    /// </summary>
    public static CancellationSignals CancelOnSignals() => new();

    public sealed class CancellationSignals : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration _terminate;

        internal CancellationSignals()
        {
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                _cancel.Cancel();
            };
            // SIGTERM too: the default would exit without running the finally blocks.
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                _cancel.Cancel();
            });
            AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();
        }

        public CancellationToken Token => _cancel.Token;
        public bool IsCancellationRequested => _cancel.IsCancellationRequested;

        public void Dispose()
        {
            _terminate.Dispose();
            _cancel.Dispose();
        }
    }
}
