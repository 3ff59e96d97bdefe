using AspireMmRag.VectorStore.Milvus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspireMmRag.VectorStore.Tests;

public sealed class MilvusServiceCollectionTests
{
    [Fact]
    public async Task AddMilvusVectorStore_binds_the_section_and_resolves_a_working_IVectorStore()
    {
        await using var server = await MilvusFakeServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Milvus:Endpoint"] = server.Endpoint.ToString(),
            ["Milvus:Token"] = "root:secret",
            ["Milvus:PassagesCollection"] = "wiki_passages",
            ["Milvus:ImagesCollection"] = "wiki_images",
            ["Milvus:RequestTimeout"] = "00:00:07",
            ["Milvus:HnswM"] = "32",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMilvusVectorStore(configuration.GetSection(MilvusOptions.SectionName));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var store = provider.GetRequiredService<IVectorStore>();
        await store.EnsureCollectionsAsync(new CollectionDimensions(4, 3), CancellationToken.None);
        await store.UpsertPassagesAsync([MilvusTestContext.Passage("p1", [1, 0, 0, 0])], CancellationToken.None);

        Assert.IsType<MilvusVectorStore>(store);
        Assert.True(server.HasCollection("wiki_passages"));
        Assert.True(server.HasCollection("wiki_images"));
        Assert.Equal(32, (int)server.RequestsTo("collections/create")[0].Body["indexParams"]![0]!["params"]!["M"]!);
        Assert.All(server.Requests, r => Assert.Equal("Bearer root:secret", r.Header("Authorization")));
        Assert.All(server.Requests, r => Assert.Equal("7", r.Header("Request-Timeout")));
        // A second (transient) store instance shares the schema cache: no describe needed to validate vectors.
        await provider.GetRequiredService<IVectorStore>().UpsertPassagesAsync([MilvusTestContext.Passage("p2", [0, 1, 0, 0])], CancellationToken.None);
        Assert.Empty(server.RequestsTo("collections/describe"));
        Assert.Equal(2, server.RowCount("wiki_passages"));
    }

    [Fact]
    public void Invalid_options_fail_validation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Milvus:Endpoint"] = "ftp://milvus:19530",
            ["Milvus:PassagesCollection"] = "bad-name",
            ["Milvus:QueryPageSize"] = "20000",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMilvusVectorStore(configuration.GetSection(MilvusOptions.SectionName));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MilvusOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Endpoint"));
        Assert.Contains(error.Failures, f => f.Contains("PassagesCollection"));
        Assert.Contains(error.Failures, f => f.Contains("QueryPageSize"));
    }
}
