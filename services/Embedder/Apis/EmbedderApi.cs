namespace AspireMmRag.Embedder.Apis;

public static class EmbedderApi
{
    public static WebApplication MapEmbedderApi(this WebApplication app)
    {
        app.MapGrpcService<EmbedderGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGet("/", () => "AspireMmRag embedder: gRPC service aspiremmrag.embedding.v1.Embedder (see protos/embedder.proto).");
        return app;
    }
}
