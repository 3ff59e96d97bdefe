using System.Runtime.InteropServices;

namespace AspireMmRag.VectorStore.Embedded;

/// <summary>
/// Direct bindings to the C API of <c>libusearch_c</c> (the native library shipped by the Cloud.Unum.USearch 2.26.6
/// package). The managed wrapper of the package allocates per call, re-reserves capacity without locking and hides
/// <c>usearch_reserve</c>, the thread-slot setters and the filtered search, so the index goes through these instead.
/// USearch does not check vector lengths: callers (<see cref="HnswIndex"/>) must.
/// </summary>
internal static class UsearchNative
{
    private const string Library = "libusearch_c";

    /// <summary><c>usearch_init_options_t</c> (64 bytes on 64-bit platforms).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InitOptions
    {
        public int MetricKind;
        public IntPtr Metric;
        public int Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
    }

    /// <summary><c>int (*)(usearch_key_t key, void* state)</c>: non-zero keeps the candidate.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int FilterCallback(ulong key, IntPtr state);

    internal const int MetricCos = 1;
    internal const int ScalarF32 = 1;
    internal const int ScalarF16 = 3;

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern IntPtr usearch_init(ref InitOptions options, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_free(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_save(IntPtr index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_load(IntPtr index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_view(IntPtr index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_metadata([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref InitOptions options, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_size(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_capacity(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_dimensions(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_memory_usage(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_change_threads_add(IntPtr index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_change_threads_search(IntPtr index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void usearch_add(IntPtr index, ulong key, in float vector, int vectorKind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_search(
        IntPtr index, in float query, int queryKind, nuint count, ref ulong keys, ref float distances, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_filtered_search(
        IntPtr index, in float query, int queryKind, nuint count, IntPtr filter, IntPtr filterState,
        ref ulong keys, ref float distances, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    internal static extern nuint usearch_remove(IntPtr index, ulong key, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static extern bool usearch_contains(IntPtr index, ulong key, out IntPtr error);

    /// <summary>Throws when the native call reported an error (a static C string; never freed).</summary>
    internal static void ThrowIfError(IntPtr error, string operation)
    {
        if (error != IntPtr.Zero)
        {
            throw new VectorStoreException($"USearch {operation} failed: {Marshal.PtrToStringUTF8(error)}");
        }
    }
}
