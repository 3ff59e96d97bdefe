using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using AspireMmRag.Gateway.Model;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace AspireMmRag.Gateway.Answering;

/// <summary>Streams the language model's answer and parses what it cites; without a model, or when the model fails before
/// writing any text, streams the extractive answer (<see cref="ExtractiveAnswerer"/>) with a warning saying why.</summary>
public sealed partial class AnswerGenerator(
    IOptions<LlmOptions> options,
    AnswerTelemetry telemetry,
    ILogger<AnswerGenerator> logger,
    IChatClient? chatClient = null) : IAnswerGenerator
{
    public async IAsyncEnumerable<AnswerEvent> GenerateAsync(AnswerInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var settings = options.Value;
        using var activity = AnswerTelemetry.ActivitySource.StartActivity(AnswerTelemetry.GenerateSpanName);
        activity?.SetTag(AnswerTelemetry.Tags.Provider, ProviderName(settings.Provider));

        if (chatClient is null)
        {
            foreach (var update in RetrievalOnly(input, $"No language model is configured (Llm:Provider={settings.Provider}); " +
                "this answer was extracted from the sources.", AnswerTelemetry.Reasons.NotConfigured, activity))
            {
                yield return update;
            }
            yield break;
        }

        // A chat client registered by other means than Llm:Provider (e.g. by a test) names itself through its metadata.
        var metadata = settings.Provider == LlmProvider.None ? chatClient.GetService<ChatClientMetadata>() : null;
        var modelId = metadata?.DefaultModelId ?? settings.ModelId;
        var location = settings.Location ?? metadata?.ProviderUri?.ToString() ?? metadata?.ProviderName ?? "(unnamed)";
        activity?.SetTag(AnswerTelemetry.Tags.Model, modelId);
        var chatOptions = new ChatOptions
        {
            ModelId = modelId,
            Temperature = settings.Temperature,
            Seed = settings.Seed,
            MaxOutputTokens = settings.MaxOutputTokens,
        };

        var started = Stopwatch.GetTimestamp();
        var answer = new StringBuilder();
        Exception? failure = null;
        await using (var updates = chatClient.GetStreamingResponseAsync(AnswerPrompt.Build(input), chatOptions, cancellationToken)
            .GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }
                    update = updates.Current;
                    cancellationToken.ThrowIfCancellationRequested();
                }
                catch (Exception ex)
                {
                    failure = ex;
                    break;
                }

                // Leading white space is dropped, so the answer starts with its first word.
                var text = answer.Length == 0 ? update.Text.TrimStart() : update.Text;
                if (text.Length == 0)
                {
                    continue;
                }
                if (answer.Length == 0)
                {
                    telemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                        new KeyValuePair<string, object?>(AnswerTelemetry.Tags.Provider, ProviderName(settings.Provider)),
                        new KeyValuePair<string, object?>(AnswerTelemetry.Tags.Model, modelId));
                }
                answer.Append(text);
                yield return new AnswerDelta(text);
            }
        }

        // Providers that stop quietly when cancelled (LLamaSharp, OllamaSharp) end their stream early instead of throwing.
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null && answer.Length > 0)
        {
            LogFailedMidAnswer(logger, failure, location, answer.Length);
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        if (failure is not null || answer.Length == 0)
        {
            var (summary, reason) = failure is null
                ? ("it returned no text", AnswerTelemetry.Reasons.EmptyAnswer)
                : Describe(failure, settings);
            if (failure is not null)
            {
                LogFellBack(logger, failure, location, summary);
            }
            foreach (var update in RetrievalOnly(input, $"The language model at {location} failed: {summary}; " +
                "this answer was extracted from the sources.", reason, activity))
            {
                yield return update;
            }
            yield break;
        }

        var fullAnswer = answer.ToString();
        var used = CitationParser.Parse(fullAnswer, input.Passages.Count, input.Images);
        SetResultTags(activity, AnswerModes.Llm, used.Citations.Count, used.ImageIds.Count);
        yield return new AnswerCompleted
        {
            Answer = fullAnswer,
            Mode = AnswerModes.Llm,
            Model = modelId,
            UsedCitations = used.Citations,
            UsedImageIds = used.ImageIds,
            Warnings = [],
        };
    }

    private IEnumerable<AnswerEvent> RetrievalOnly(AnswerInput input, string warning, string reason, Activity? activity)
    {
        var extract = ExtractiveAnswerer.Answer(input.Question, input.Passages);
        telemetry.RetrievalOnlyAnswers.Add(1, new KeyValuePair<string, object?>(AnswerTelemetry.Tags.Reason, reason));
        activity?.SetTag(AnswerTelemetry.Tags.Reason, reason);
        SetResultTags(activity, AnswerModes.RetrievalOnly, extract.UsedCitations.Count, 0);
        foreach (var piece in extract.Pieces)
        {
            yield return new AnswerDelta(piece);
        }
        yield return new AnswerCompleted
        {
            Answer = extract.Text,
            Mode = AnswerModes.RetrievalOnly,
            Model = null,
            UsedCitations = extract.UsedCitations,
            UsedImageIds = [],
            Warnings = [warning],
        };
    }

    private static void SetResultTags(Activity? activity, string mode, int citations, int images)
    {
        activity?.SetTag(AnswerTelemetry.Tags.Mode, mode);
        activity?.SetTag(AnswerTelemetry.Tags.CitationsUsed, citations);
        activity?.SetTag(AnswerTelemetry.Tags.ImagesUsed, images);
    }

    /// <summary>A short reason for a warning, and the metric's reason tag.</summary>
    internal static (string Summary, string Reason) Describe(Exception failure, LlmOptions settings) => failure switch
    {
        HttpRequestException { StatusCode: HttpStatusCode.NotFound } =>
            ($"the model '{settings.ModelId}' was not found there (HTTP 404 Not Found)", AnswerTelemetry.Reasons.ModelNotFound),
        HttpRequestException { StatusCode: { } status } =>
            ($"HTTP {(int)status} ({status})", AnswerTelemetry.Reasons.HttpError),
        HttpRequestException request => (Unreachable(request), AnswerTelemetry.Reasons.Unreachable),
        TimeoutRejectedException => ($"no response within {settings.AttemptTimeout}", AnswerTelemetry.Reasons.Timeout),
        OperationCanceledException => ("the request timed out", AnswerTelemetry.Reasons.Timeout),
        _ => (failure.Message, AnswerTelemetry.Reasons.Error),
    };

    private static string Unreachable(HttpRequestException failure)
    {
        var socket = failure.InnerException as SocketException ?? failure.InnerException?.InnerException as SocketException;
        return socket is null ? $"unreachable ({failure.Message})" : $"unreachable ({socket.Message})";
    }

    internal static string ProviderName(LlmProvider provider) => provider switch
    {
        LlmProvider.Ollama => "ollama",
        LlmProvider.LlamaSharp => "llamasharp",
        _ => "none",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The language model at {Location} failed before answering ({Summary}); answering from the sources")]
    private static partial void LogFellBack(ILogger logger, Exception exception, string? location, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "The language model at {Location} failed after {Characters} characters of answer")]
    private static partial void LogFailedMidAnswer(ILogger logger, Exception exception, string? location, int characters);
}
