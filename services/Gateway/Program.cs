using AspireMmRag.Gateway.Apis;
using AspireMmRag.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseGatewayPipeline();
app.MapDefaultEndpoints();
app.MapAskApi();
app.MapSearchApi();
app.MapImagesApi();
app.MapModelsApi();
app.MapIngestApi();
app.MapDocumentsApi();

app.Run();

public partial class Program;
