using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AspireMmRag.Evaluation;

// Runs the golden set (eval/golden/questions.json) against a live gateway: optionally ingests eval/golden first, asks every
// question through POST /api/ask and prints retrieval and answer figures. Exit code 0 when it ran, 1 on bad arguments,
// 2 when the gateway or the golden set is not usable.

const string Usage = """
    Usage: dotnet run --project eval/Evaluation -- [options]

      --gateway URL        the gateway (default http://localhost:5180)
      --api-key KEY        X-Api-Key for --ingest (default: $MMRAG_API_KEY); the AppHost's key:
                           dotnet user-secrets list --project AppHost  → Parameters:gateway-api-key
      --ingest             POST /api/ingest {"folder": "golden"} and wait for job-done before asking
      --golden DIR         the golden folder (default: eval/golden, looked for from the working directory up)
      --top-k N            passages per ask, the k of hit@k (default 4)
      --image-top-k N      images per ask (default 3)
      --timeout S          seconds per request (default 120)
      --ingest-timeout S   seconds for the ingest job (default 900)
      --out FILE           also write every answer and its scores as JSON
      --verbose            print each question's answer

    The gateway must know the golden folder as a folder root, so start the AppHost with it, e.g.:
      dotnet run --project AppHost -- --Ingest:Folders:0=samples --Ingest:Folders:1=eval/golden --Ingest:WikipediaTitles=
    (the AppHost also crawls its folder roots at start, so --ingest is only needed after changing the corpus or the index).
    """;

string gatewayUrl = "http://localhost:5180", goldenDir = "";
string? apiKey = Environment.GetEnvironmentVariable("MMRAG_API_KEY"), outFile = null;
bool ingest = false, verbose = false;
int topK = 4, imageTopK = 3;
double timeoutSeconds = 120, ingestTimeoutSeconds = 900;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Int(int min, int max) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{args[i - 1]} takes a whole number {min}..{max}");
        double Seconds() => double.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new ArgumentException($"{args[i - 1]} takes a positive number of seconds");
        switch (args[i])
        {
            case "--gateway": gatewayUrl = Value(); break;
            case "--api-key": apiKey = Value(); break;
            case "--ingest": ingest = true; break;
            case "--golden": goldenDir = Value(); break;
            case "--top-k": topK = Int(1, 20); break;
            case "--image-top-k": imageTopK = Int(0, 10); break;
            case "--timeout": timeoutSeconds = Seconds(); break;
            case "--ingest-timeout": ingestTimeoutSeconds = Seconds(); break;
            case "--out": outFile = Value(); break;
            case "--verbose": verbose = true; break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    if (!Uri.TryCreate(gatewayUrl.EndsWith('/') ? gatewayUrl : gatewayUrl + "/", UriKind.Absolute, out _) || !gatewayUrl.StartsWith("http", StringComparison.OrdinalIgnoreCase))
    {
        throw new ArgumentException($"--gateway {gatewayUrl} is not an http(s) URL");
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}\n\n{Usage}");
    return 1;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the run stop cleanly: the calls in flight are cancelled
    cts.Cancel();
    Console.Error.WriteLine("cancelling…");
};

try
{
    var golden = FindGolden(goldenDir);
    var set = JsonSerializer.Deserialize<GoldenSet>(await File.ReadAllTextAsync(Path.Combine(golden, "questions.json"), cts.Token), GatewayClient.Json)
        ?? throw new EvaluationException("questions.json is empty");
    var imageIds = ImageIds(golden, set);
    var gateway = new Uri(gatewayUrl.EndsWith('/') ? gatewayUrl : gatewayUrl + "/");
    using var client = new GatewayClient(gateway, apiKey, TimeSpan.FromSeconds(timeoutSeconds));

    Console.WriteLine($"Golden set: {golden} ({set.Questions.Count} questions, {set.Questions.Count(q => q.Answerable)} answerable, " +
        $"{set.Questions.Count(q => q.Image is not null)} with an image); gateway {gateway}");
    await client.CheckReachableAsync(cts.Token);

    if (ingest)
    {
        var done = await client.IngestFolderAsync(set.Root, TimeSpan.FromSeconds(ingestTimeoutSeconds), Console.WriteLine, cts.Token);
        Console.WriteLine($"ingest job {done.JobId}: {done.State}, {done.Documents} documents, {done.Failed} failed");
        if (done.State is not ("done" or "partial"))
        {
            throw new EvaluationException($"the ingest job ended {done.State}: see GET {gateway}api/ingest/{done.JobId}");
        }
    }

    await CheckLabelsAsync(client, set, cts.Token);

    var results = new List<QuestionResult>();
    string? mode = null, model = null;
    var warnings = new HashSet<string>();
    foreach (var question in set.Questions)
    {
        var answer = await client.AskAsync(new AskBody(question.Question, topK, imageTopK), cts.Token);
        mode ??= answer.Mode;
        model ??= answer.Model;
        warnings.UnionWith(answer.Warnings);
        var result = Scoring.Score(question, answer, question.Image is null ? null : imageIds[question.Image]);
        results.Add(result);
        PrintRow(result);
        if (verbose)
        {
            Console.WriteLine($"      {answer.Answer.ReplaceLineEndings(" ")}");
        }
    }

    PrintSummary(results, topK, imageTopK, mode, model, warnings);
    if (outFile is not null)
    {
        await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(results, new JsonSerializerOptions(GatewayClient.Json) { WriteIndented = true }), cts.Token);
        Console.WriteLine($"answers and scores written to {outFile}");
    }
    return 0;
}
catch (EvaluationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

static string FindGolden(string configured)
{
    if (configured.Length > 0)
    {
        return File.Exists(Path.Combine(configured, "questions.json"))
            ? Path.GetFullPath(configured)
            : throw new EvaluationException($"no questions.json in --golden {configured}");
    }
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "eval", "golden");
            if (File.Exists(Path.Combine(candidate, "questions.json")))
            {
                return candidate;
            }
        }
    }
    throw new EvaluationException("eval/golden/questions.json not found from the working directory up; pass --golden DIR");
}

// An image's media id is the sha256 of its bytes (what the crawler stores it under), so the labels name files.
static Dictionary<string, string> ImageIds(string golden, GoldenSet set)
{
    var ids = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var file in set.Questions.Select(q => q.Image).OfType<string>().Distinct())
    {
        var path = Path.Combine(golden, file);
        if (!File.Exists(path))
        {
            throw new EvaluationException($"questions.json names the image {file}, which is not in {golden}");
        }
        ids[file] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
    }
    return ids;
}

// Every expected document must be indexed and every expected section one of its sections, or the figures measure the labels.
static async Task CheckLabelsAsync(GatewayClient client, GoldenSet set, CancellationToken cancellationToken)
{
    var problems = new List<string>();
    foreach (var group in set.Questions.Where(q => q.Answerable).GroupBy(q => q.DocumentId!))
    {
        var (document, status) = await client.GetDocumentAsync(group.Key, cancellationToken);
        if (status == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            Console.WriteLine("the gateway has no catalog (503): the labels are not checked against the indexed documents");
            return;
        }
        if (document is null)
        {
            problems.Add($"{group.Key} is not indexed (run with --ingest, and start the AppHost with --Ingest:Folders:N=eval/golden)");
            continue;
        }
        foreach (var section in group.Select(q => q.Section).OfType<string>().Distinct().Where(s => !document.Sections.Contains(s)))
        {
            problems.Add($"{group.Key} has no section \"{section}\" (it has: {string.Join(" | ", document.Sections)})");
        }
    }
    if (problems.Count > 0)
    {
        throw new EvaluationException("the golden set does not match the index:\n  " + string.Join("\n  ", problems));
    }
}

static void PrintRow(QuestionResult r)
{
    var top = r.Answer.Citations.FirstOrDefault();
    var expected = r.Question.Answerable ? $"rank {(r.DocumentRank?.ToString(CultureInfo.InvariantCulture) ?? "-"),-2} section {(r.SectionHit ? "ok" : "--")} " +
        $"image {(r.ImageHit is null ? (r.ImageShown ? "shown" : "none") : r.ImageHit.Value ? "ok" : "--")} cited {(r.CitesExpected ? "ok" : "--")}"
        : $"unanswerable: {(r.SaysNotInSources ? "said not in sources" : "answered")}";
    Console.WriteLine($"{r.Question.Id} {expected,-44} top: {(top is null ? "(none)" : $"{top.DocumentId} › {top.Section} ({top.Score:0.000})")}");
}

static void PrintSummary(List<QuestionResult> results, int topK, int imageTopK, string? mode, string? model, HashSet<string> warnings)
{
    var answerable = results.Where(r => r.Question.Answerable).ToList();
    var unanswerable = results.Where(r => !r.Question.Answerable).ToList();
    var withImage = answerable.Where(r => r.ImageHit is not null).ToList();
    var withoutImage = answerable.Where(r => r.ImageHit is null).ToList();
    static string Share(int n, int of) => of == 0 ? "n/a" : $"{(double)n / of:0.000} ({n}/{of})";

    Console.WriteLine();
    Console.WriteLine($"Answer mode: {mode}{(model is null ? "" : $" ({model})")}; topK {topK}, imageTopK {imageTopK}");
    foreach (var warning in warnings)
    {
        Console.WriteLine($"  warning from the gateway: {warning}");
    }
    Console.WriteLine($"Answerable questions ({answerable.Count}), document level:");
    Console.WriteLine($"  passage hit@1                 {Share(answerable.Count(r => r.DocumentRank == 1), answerable.Count)}");
    Console.WriteLine($"  passage hit@{topK,-2}                {Share(answerable.Count(r => r.DocumentRank is not null), answerable.Count)}");
    Console.WriteLine($"  MRR@{topK,-2}                        {(answerable.Count == 0 ? 0 : answerable.Average(r => r.DocumentRank is { } rank ? 1.0 / rank : 0)):0.000}");
    Console.WriteLine($"  section hit@{topK,-2}                {Share(answerable.Count(r => r.SectionHit), answerable.Count)}  (a passage of the expected document and section)");
    Console.WriteLine($"  image hit@{imageTopK,-2}                  {Share(withImage.Count(r => r.ImageHit == true), withImage.Count)}  (questions with an expected image)");
    Console.WriteLine($"  image shown, none expected    {Share(withoutImage.Count(r => r.ImageShown), withoutImage.Count)}  (answerable questions no image fits)");
    Console.WriteLine($"  answer cites the expected doc {Share(answerable.Count(r => r.CitesExpected), answerable.Count)}  (usedCitations holds a passage of it)");
    Console.WriteLine($"  answered \"not in the sources\" {Share(answerable.Count(r => r.SaysNotInSources), answerable.Count)}  (wrongly)");
    Console.WriteLine($"Unanswerable questions ({unanswerable.Count}):");
    Console.WriteLine($"  answered \"not in the sources\" {Share(unanswerable.Count(r => r.SaysNotInSources), unanswerable.Count)}");
    Console.WriteLine($"  image shown                   {Share(unanswerable.Count(r => r.ImageShown), unanswerable.Count)}");
    Console.WriteLine($"Rule: {Scoring.NotInSourcesRule}.");
}
