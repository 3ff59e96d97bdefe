using AspireMmRag.Embedder.Apis;
using AspireMmRag.Embedder.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapEmbedderApi();

app.Run();

public partial class Program;
