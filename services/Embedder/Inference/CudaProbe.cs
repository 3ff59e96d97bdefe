using System.Runtime.InteropServices;

namespace AspireMmRag.Embedder.Inference;

/// <summary>
/// Tells, without ONNX Runtime, whether the CUDA execution provider library can be loaded at all: it loads
/// <c>libonnxruntime_providers_cuda.so</c> (or the Windows DLL) from the app folder, whose load fails at once when the CUDA
/// libraries it links to are missing. ONNX Runtime would log that failure at error level for every session.
/// </summary>
internal static class CudaProbe
{
    private static readonly string LibraryName = OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";

    /// <summary>Why CUDA certainly cannot load (the provider library is absent, or a library it needs is), or null when
    /// only creating a session can tell.</summary>
    public static string? UnavailableReason()
    {
        var path = Candidates().FirstOrDefault(File.Exists);
        if (path is null)
        {
            return $"{LibraryName} is not deployed with the embedder";
        }
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException ex) when (ex.Message.Contains("cannot open shared object file", StringComparison.Ordinal)
                                              || OperatingSystem.IsWindows())
        {
            // A dependency (libcublasLt, libcudart...) is missing: ONNX Runtime would fail the same way.
            return ex.Message;
        }
        catch (DllNotFoundException)
        {
            return null; // some other load problem: let ONNX Runtime decide
        }
    }

    private static IEnumerable<string> Candidates()
    {
        var root = AppContext.BaseDirectory;
        yield return Path.Combine(root, LibraryName);
        yield return Path.Combine(root, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", LibraryName);
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        yield return Path.Combine(root, "runtimes", $"{(OperatingSystem.IsWindows() ? "win" : "linux")}-{architecture}", "native", LibraryName);
    }
}
