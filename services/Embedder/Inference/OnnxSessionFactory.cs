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
/// <see cref="OrtEnv.GetAvailableProviders"/> lists CUDA even where CUDA is absent, so the only reliable test is to
/// append the provider and create the session; any failure there falls back to CPU (unless CUDA was required).
/// </summary>
public sealed partial class OnnxSessionFactory(IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory> logger)
{
    public const string Cuda = "CUDA";
    public const string Cpu = "CPU";

    public OnnxSession Create(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model '{modelPath}' does not exist.", modelPath);
        }

        var settings = options.Value;
        if (settings.ExecutionProvider != ExecutionProviderPreference.Cpu)
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
                LogCudaUnavailable(logger, Path.GetFileName(modelPath), ex.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA execution provider unavailable for {Model}, using CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string model, string reason);
}
