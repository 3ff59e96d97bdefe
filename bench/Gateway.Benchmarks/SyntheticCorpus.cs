using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using AspireMmRag.Benchmarks;
using AspireMmRag.Embedding;
using AspireMmRag.Media;
using AspireMmRag.VectorStore;
using AspireMmRag.VectorStore.Embedded;
using static AspireMmRag.Benchmarks.EnglishProse;

namespace AspireMmRag.Gateway.Benchmarks;

/// <summary>
/// The benchmark's corpus: documents of <see cref="BenchSettings.PassagesPerDocument"/> passages on one of
/// <see cref="Topics"/> topics each, one captioned image per document, and English-like questions on the same topics.
/// <para>
/// Vectors. Passages: the first <see cref="BenchSettings.RealPassages"/> distinct passage texts are embedded with the real
/// passage model (arctic-embed-xs, through the embedder); every other passage reuses the text of passage
/// <c>i mod RealPassages</c> and stores that passage's real vector plus Gaussian noise, renormalized so that its cosine to
/// the real vector is about <see cref="CopyCosine"/> (clusters around real embeddings). Captions (ImageCaptions, 384-d) are
/// built the same way from <see cref="BenchSettings.RealCaptions"/> real caption embeddings. CLIP image vectors (512-d) are
/// synthetic: a per-topic 32-d Gaussian centre plus per-image latent noise, projected by a fixed random 32×512 matrix, plus
/// isotropic noise, normalized (the CLIP-shaped text model has random weights, so real CLIP image vectors would mean nothing).
/// </para>
/// </summary>
public sealed class SyntheticCorpus
{
    public const float CopyCosine = 0.9f;
    public const int PassageDimension = 384;
    public const int ClipDimension = 512;
    private const int ClipLatent = 32;

    private readonly BenchSettings _settings;

    public SyntheticCorpus(BenchSettings settings)
    {
        _settings = settings;
        if (settings.RealPassages % (settings.PassagesPerDocument * Topics.Length) != 0 || settings.RealCaptions % Topics.Length != 0)
        {
            throw new ArgumentException("RealPassages must be a multiple of PassagesPerDocument × topics and RealCaptions of the topic count, so copies keep their document's topic.");
        }
        Questions = [.. Enumerable.Range(0, settings.Questions).Select(Question)];
    }

    public IReadOnlyList<string> Questions { get; }

    public string Description(TimeSpan embedTime, TimeSpan writeTime)
    {
        var words = Enumerable.Range(0, _settings.RealPassages).Select(i => PassageText(i).Split(' ').Length).ToArray();
        var questionWords = Questions.Select(q => q.Split(' ').Length).ToArray();
        return $"{_settings.Passages:N0} passages in {_settings.Passages / _settings.PassagesPerDocument:N0} documents ({Topics.Length} topics; " +
               $"{_settings.RealPassages:N0} distinct texts of {words.Min()}–{words.Max()} words, mean {words.Average():F0}), " +
               $"{_settings.Images:N0} images (one per document, captions of 7–12 words). Vectors: {_settings.RealPassages:N0} passages and " +
               $"{_settings.RealCaptions:N0} captions embedded with the real passage model (arctic-embed-xs) through the embedder; every other " +
               $"passage/caption is a noisy copy of one of those real vectors (cosine ≈ {CopyCosine:F1} to it, renormalized); CLIP image " +
               $"vectors synthetic (per-topic 32-d Gaussian centre + latent noise, fixed random 32×512 projection + N(0, 0.5²) per component, " +
               $"normalized). Embedding took {embedTime.TotalSeconds:F1} s, writing the store {writeTime.TotalSeconds:F1} s. " +
               $"Questions: {Questions.Count} generated on the same topics, {questionWords.Min()}–{questionWords.Max()} words, cycled.";
    }

    /// <summary>Embeds the real subset through <paramref name="embedder"/> and writes the store as a Writer, then closes it.</summary>
    public async Task<(TimeSpan Embed, TimeSpan Write)> WriteStoreAsync(EmbedderClient embedder, string directory, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var realPassages = await EmbedAsync(embedder, [.. Enumerable.Range(0, _settings.RealPassages).Select(PassageText)], cancellationToken);
        var realCaptions = await EmbedAsync(embedder, [.. Enumerable.Range(0, _settings.RealCaptions).Select(CaptionText)], cancellationToken);
        var embedTime = clock.Elapsed;
        Console.WriteLine($"  embedded {realPassages.Count:N0} passages and {realCaptions.Count:N0} captions in {embedTime.TotalSeconds:F1} s");

        clock.Restart();
        await using (var store = new EmbeddedVectorStore(new EmbeddedVectorStoreOptions { Directory = directory, Role = VectorStoreRole.Writer }))
        {
            await store.EnsureCollectionsAsync(new CollectionDimensions(PassageDimension, ClipDimension), cancellationToken);
            var noise = new Random(17);
            var passages = Enumerable.Range(0, _settings.Passages).Select(i => new PassageRecord
            {
                Id = $"p{i:D5}",
                DocumentId = DocumentId(i / _settings.PassagesPerDocument),
                Source = "bench",
                Title = Title(i / _settings.PassagesPerDocument),
                Url = DocumentUrl(i / _settings.PassagesPerDocument),
                Section = Section(i / _settings.PassagesPerDocument, i % _settings.PassagesPerDocument),
                ChunkIndex = i % _settings.PassagesPerDocument,
                Text = PassageText(i % _settings.RealPassages),
                Revision = "1",
                Vector = i < realPassages.Count ? realPassages[i] : NoisyCopy(realPassages[i % realPassages.Count], noise),
            }).ToList();
            foreach (var batch in passages.Chunk(1_000))
            {
                await store.UpsertPassagesAsync(batch, cancellationToken);
            }

            var clipProjection = Gaussians(new Random(23), ClipDimension * ClipLatent);
            var topicCentres = Enumerable.Range(0, Topics.Length).Select(t => Gaussians(new Random(100 + t), ClipLatent)).ToArray();
            var images = Enumerable.Range(0, _settings.Images).Select(Image).ToList();
            await store.UpsertImageCaptionsAsync([.. images.Select((image, j) => image with
            {
                Vector = j < realCaptions.Count ? realCaptions[j] : NoisyCopy(realCaptions[j % realCaptions.Count], noise),
            })], cancellationToken);
            await store.UpsertImagesAsync([.. images.Select((image, j) => image with
            {
                Vector = ClipVector(topicCentres[j % Topics.Length], clipProjection, new Random(1_000 + j)),
            })], cancellationToken);

            var counts = await Task.WhenAll(
                store.CountAsync(VectorCollection.Passages, null, cancellationToken),
                store.CountAsync(VectorCollection.ImageCaptions, null, cancellationToken),
                store.CountAsync(VectorCollection.Images, null, cancellationToken));
            Console.WriteLine($"  store: {counts[0]:N0} passages, {counts[1]:N0} image captions, {counts[2]:N0} images in {clock.Elapsed.TotalSeconds:F1} s");
        }
        return (embedTime, clock.Elapsed);
    }

    private ImageRecord Image(int j)
    {
        var document = j; // one image per document
        return new ImageRecord
        {
            Id = $"img{j:D4}",
            DocumentId = DocumentId(document),
            Source = "bench",
            MediaRef = MediaReference.For(Encoding.UTF8.GetBytes($"bench image {j}")),
            Caption = CaptionText(j % _settings.RealCaptions),
            Attribution = "Bench Photographer, CC BY-SA 4.0",
            Url = DocumentUrl(document),
            Revision = "1",
            Title = Title(document),
            Section = Section(document, j % _settings.PassagesPerDocument),
            SourceUrl = $"https://bench.example/media/{j}.jpg",
            License = "CC BY-SA 4.0",
            MimeType = "image/jpeg",
        };
    }

    private static async Task<IReadOnlyList<float[]>> EmbedAsync(EmbedderClient embedder, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        // Batches of 32 (the embedder's MaxBatchSize), 4 in flight.
        var batches = texts.Chunk(32).ToArray();
        var results = new IReadOnlyList<float[]>[batches.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, batches.Length), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, token) => results[i] = await embedder.EmbedPassagesAsync(batches[i], token));
        return [.. results.SelectMany(r => r)];
    }

    private static float[] NoisyCopy(float[] parent, Random random)
    {
        // |noise|² = σ²·d with cos = 1/sqrt(1 + σ²·d) → σ = sqrt((1/cos² − 1)/d).
        var sigma = MathF.Sqrt((1f / (CopyCosine * CopyCosine) - 1f) / parent.Length);
        var copy = new float[parent.Length];
        for (var d = 0; d < copy.Length; d++)
        {
            copy[d] = parent[d] + sigma * Gaussian(random);
        }
        TensorPrimitives.Divide(copy, TensorPrimitives.Norm(copy), copy);
        return copy;
    }

    private static float[] ClipVector(float[] centre, float[] projection, Random random)
    {
        Span<float> z = stackalloc float[ClipLatent];
        for (var i = 0; i < ClipLatent; i++)
        {
            z[i] = centre[i] + 0.7f * Gaussian(random);
        }
        var vector = new float[ClipDimension];
        var scale = 1f / MathF.Sqrt(ClipLatent);
        for (var d = 0; d < ClipDimension; d++)
        {
            vector[d] = TensorPrimitives.Dot(projection.AsSpan(d * ClipLatent, ClipLatent), z) * scale + 0.5f * Gaussian(random);
        }
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    private static float[] Gaussians(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = Gaussian(random);
        }
        return values;
    }

    private static float Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    // ---- Texts --------------------------------------------------------------------------------

    private static string DocumentId(int document) => $"bench:doc/{document:D4}";

    private static string DocumentUrl(int document) => $"https://bench.example/doc/{document:D4}";

    private static string[] Topic(int document) => Topics[document % Topics.Length];

    private static string Title(int document)
    {
        var topic = Topic(document);
        return $"{Capitalize(Adjectives[document % Adjectives.Length])} {topic[document / Topics.Length % topic.Length]} ({document})";
    }

    private static string Section(int document, int chunk) => chunk < 3 ? Title(document) : $"{Title(document)} › Part {chunk / 3}";

    /// <summary>60–120 words on the topic of the passage's document (passage <c>i</c> is in document <c>i / PassagesPerDocument</c>).</summary>
    private string PassageText(int i)
    {
        var random = new Random(2_000 + i);
        var topic = Topic(i / _settings.PassagesPerDocument);
        var target = random.Next(60, 121);
        return EnglishProse.Sentences(random, topic, target, commas: false);
    }

    /// <summary>A caption of 7–12 words for image <c>j</c> (in document <c>j</c>).</summary>
    private static string CaptionText(int j)
    {
        var random = new Random(5_000 + j);
        var topic = Topic(j);
        var words = new List<string>
        {
            Capitalize(Adjectives[random.Next(Adjectives.Length)]), topic[random.Next(topic.Length)], Places[random.Next(Places.Length)],
            "the", topic[random.Next(topic.Length)],
        };
        var extra = random.Next(2, 8);
        for (var k = 0; k < extra; k++)
        {
            words.Add(random.Next(3) switch
            {
                0 => Fillers[random.Next(Fillers.Length)],
                1 => topic[random.Next(topic.Length)],
                _ => Adjectives[random.Next(Adjectives.Length)],
            });
        }
        return string.Join(' ', words);
    }

    private static string Question(int seed)
    {
        var random = new Random(9_000 + seed);
        var topic = Topics[seed % Topics.Length];
        var start = QuestionStarts[random.Next(QuestionStarts.Length)];
        var words = new List<string> { start, "the", Adjectives[random.Next(Adjectives.Length)], topic[random.Next(topic.Length)] };
        words.Add(Verbs[random.Next(Verbs.Length)]);
        words.Add("the");
        words.Add(topic[random.Next(topic.Length)]);
        if (random.Next(2) == 0)
        {
            words.Add(Places[random.Next(Places.Length)]);
            words.Add("the");
            words.Add(topic[random.Next(topic.Length)]);
        }
        return string.Join(' ', words) + "?";
    }

    private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static readonly string[][] Topics =
    [
        ["garden", "soil", "compost", "tomatoes", "seedlings", "irrigation", "mulch", "pollinators", "greenhouse", "harvest"],
        ["telescope", "galaxy", "nebula", "orbit", "spectrometer", "exoplanet", "observatory", "eclipse", "wavelength", "comet"],
        ["database", "index", "latency", "replication", "transaction", "cache", "scheduler", "throughput", "container", "kernel"],
        ["parliament", "treaty", "empire", "archives", "manuscript", "dynasty", "revolution", "merchants", "charter", "census"],
        ["recipe", "dough", "saffron", "fermentation", "skillet", "broth", "vinegar", "oven", "marinade", "pastry"],
        ["portfolio", "inflation", "dividend", "mortgage", "liquidity", "bond", "valuation", "currency", "revenue", "tariff"],
        ["glacier", "watershed", "sediment", "erosion", "wetlands", "aquifer", "rainfall", "permafrost", "estuary", "reservoir"],
        ["cathedral", "dome", "facade", "nave", "fresco", "organ", "bell tower", "crypt", "altar", "cloister"],
        ["ferry", "harbour", "lighthouse", "pier", "sailboat", "tide", "fortress", "island", "anchor", "breakwater"],
        ["tram", "railway", "platform", "timetable", "locomotive", "carriage", "junction", "depot", "ticket", "viaduct"],
        ["violin", "orchestra", "symphony", "conductor", "concerto", "rehearsal", "choir", "overture", "soloist", "score"],
        ["football", "stadium", "goalkeeper", "league", "referee", "striker", "penalty", "tournament", "coach", "midfield"],
        ["vaccine", "clinic", "diagnosis", "antibody", "surgeon", "therapy", "symptom", "hospital", "dosage", "patient"],
        ["forest", "spruce", "trail", "lichen", "campfire", "moose", "lake", "ridge", "meadow", "birch"],
        ["sauna", "steam", "bench", "birch whisk", "stove", "plunge", "towel", "bathhouse", "ladle", "cabin"],
        ["smartphone", "battery", "touchscreen", "processor", "camera", "charger", "firmware", "antenna", "sensor", "app"],
        ["painting", "canvas", "portrait", "gallery", "brushstroke", "pigment", "sculpture", "exhibition", "curator", "easel"],
        ["market", "stall", "berries", "fishmonger", "vendor", "basket", "pastries", "cheese", "coffee", "handicrafts"],
        ["volcano", "lava", "crater", "magma", "eruption", "ash", "basalt", "caldera", "geyser", "fissure"],
        ["novel", "chapter", "narrator", "publisher", "manuscript draft", "poetry", "editor", "protagonist", "library", "sequel"],
    ];

    private static readonly string[] Places = ["near", "beside", "above", "behind", "inside", "across", "under", "around"];

    private static readonly string[] QuestionStarts = ["How", "Why", "When", "Where", "What", "Which", "Does", "Can"];
}
