using AspireMmRag.Embedder.Options;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AspireMmRag.Embedder.Inference;

/// <summary>An ONNX Runtime session and the execution provider it really runs on.</summary>
public sealed record OnnxSession(InferenceSession Session, string ExecutionProvider) : IDisposable
{
    public void Dispose() => Session.Dispose();
}

/// <summary>
/// Creates inference sessions on CUDA when the CUDA provider loads, on CPU otherwise.
/// <see cref="OrtEnv.GetAvailableProviders"/> lists CUDA even where CUDA is absent, so with <c>Auto</c> the factory first
/// checks that the CUDA provider library loads (<see cref="CudaProbe"/>; on a CPU-only machine it does not, and ONNX Runtime
/// is never asked, so it logs no error), then appends the provider and creates the session. The first failure decides for
/// the process: it is logged once, at information level with the reason, and every later session goes straight to CPU.
/// With <c>Cuda</c> a failure is thrown; with <c>Cpu</c> CUDA is never tried.
/// </summary>
public sealed partial class OnnxSessionFactory(IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory> logger)
{
    public const string Cuda = "CUDA";
    public const string Cpu = "CPU";

    private readonly Lock _gate = new();
    private bool _probed;
    private string? _cudaUnavailable;

    /// <summary>Why sessions run on CPU although CUDA was allowed (null until CUDA failed, or when it never did).</summary>
    public string? CudaFallbackReason
    {
        get
        {
            lock (_gate)
            {
                return _cudaUnavailable;
            }
        }
    }

    public OnnxSession Create(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist.", modelPath);
        }

        var settings = options.Value;
        var tryCuda = settings.ExecutionProvider switch
        {
            ExecutionProviderPreference.Cuda => true,
            ExecutionProviderPreference.Auto => CudaMayLoad(),
            _ => false,
        };
        if (tryCuda)
        {
            SessionOptions? cudaOptions = null;
            try
            {
                cudaOptions = CreateOptions(settings);
                cudaOptions.AppendExecutionProvider_CUDA(settings.CudaDeviceId);
                var session = new InferenceSession(modelPath, cudaOptions);
                LogProvider(logger, Path.GetFileName(modelPath), Cuda);
                return new OnnxSession(session, Cuda);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException
                                           && settings.ExecutionProvider == ExecutionProviderPreference.Auto)
            {
                FallBack(ex.Message);
            }
            finally
            {
                cudaOptions?.Dispose();
            }
        }

        using var cpuOptions = CreateOptions(settings);
        var cpuSession = new InferenceSession(modelPath, cpuOptions);
        LogProvider(logger, Path.GetFileName(modelPath), Cpu);
        return new OnnxSession(cpuSession, Cpu);
    }

    private bool CudaMayLoad()
    {
        string? reason;
        lock (_gate)
        {
            if (_probed)
            {
                return _cudaUnavailable is null;
            }
            _probed = true;
            reason = CudaProbe.UnavailableReason();
            _cudaUnavailable = reason;
        }
        if (reason is not null)
        {
            LogCudaUnavailable(logger, reason);
        }
        return reason is null;
    }

    private void FallBack(string reason)
    {
        lock (_gate)
        {
            if (_cudaUnavailable is not null)
            {
                return;
            }
            _cudaUnavailable = reason;
        }
        LogCudaUnavailable(logger, reason);
    }

    private static SessionOptions CreateOptions(InferenceOptions settings)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (settings.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = settings.IntraOpThreads;
        }
        return sessionOptions;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX model {Model} runs on the {Provider} execution provider")]
    private static partial void LogProvider(ILogger logger, string model, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA execution provider unavailable, every model runs on CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
