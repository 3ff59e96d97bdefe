namespace AspireMmRag.VectorStore.Tests;

/// <summary>A few passages with distinct words and 4-d vectors for the full-text and hybrid tests (ConsistencyLevel Strong).</summary>
internal static class MilvusFullTextCorpus
{
    public static readonly float[] North = [1, 0, 0, 0];
    public static readonly float[] NorthEast = [0.8f, 0.6f, 0, 0];
    public static readonly float[] East = [0, 1, 0, 0];
    public static readonly float[] Up = [0, 0, 1, 0];

    public static readonly IReadOnlyList<string> PassageOutputFields =
        ["text", "document_id", "source", "title", "url", "section", "revision", "chunk_index"];

    public static async Task<MilvusTestContext> StartAsync()
    {
        var context = await (await MilvusTestContext.StartAsync(o => o.ConsistencyLevel = "Strong")).WithCollectionsAsync();
        await context.Store.UpsertPassagesAsync(
        [
            MilvusTestContext.Passage("hue", North, documentId: "doc-hue", text: "The imperial citadel of Huế lies on the Perfume River.") with { Title = "Huế" },
            MilvusTestContext.Passage("hanoi", NorthEast, documentId: "doc-hanoi", text: "Hanoi is the capital; the Red River runs through it.") with { Title = "Hanoi" },
            MilvusTestContext.Passage("nara", East, documentId: "doc-nara", source: "pdf", text: "Tōdai-ji is a Buddhist temple in Nara, finished in 752.") with
            {
                Title = "Nara",
                Section = "Temples",
            },
            MilvusTestContext.Passage("kyoto", Up, documentId: "doc-kyoto", text: "Kyoto has many temples and a river, the Kamo.") with { Title = "Kyoto" },
        ], CancellationToken.None);
        context.Server.ClearRequests();
        return context;
    }
}
