extern alias indexer;
using AspireMmRag.Messaging;
using indexer::AspireMmRag.Indexer.Extensions;
using indexer::AspireMmRag.Indexer.Indexing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>Fills an embedded vector store through the indexer's own code (<see cref="DocumentIndexer"/>: chunking, passage,
/// caption and CLIP embeddings from the real embedder, idempotent writes), with an in-memory bus for its progress events.</summary>
public static class CorpusIndexer
{
    public static async Task IndexAsync(string embedderUrl, string vectorsDirectory, string mediaDirectory,
        IReadOnlyList<DocumentCrawled> documents, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:embedder:http:0"] = embedderUrl,
            ["VectorStore:Provider"] = "Embedded",
            ["VectorStore:Embedded:Directory"] = vectorsDirectory,
            ["MediaStore:Directory"] = mediaDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddDocumentIndexing();
        builder.Services.AddMassTransit(bus => bus.UsingInMemory());

        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var indexer = host.Services.GetRequiredService<DocumentIndexer>();
            var events = host.Services.GetRequiredService<IBus>();
            foreach (var document in documents)
            {
                await indexer.IndexAsync(document, events, cancellationToken);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
