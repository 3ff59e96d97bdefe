using AspireMmRag.Gateway.Model;

namespace AspireMmRag.Gateway.Answering;

/// <summary>What the configured language model is and whether it can answer now (for <c>/api/models</c> and <c>/health</c>).</summary>
public interface ILanguageModelStatus
{
    Task<LanguageModelInfo> GetAsync(CancellationToken cancellationToken);
}
