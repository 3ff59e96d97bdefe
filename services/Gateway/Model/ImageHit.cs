namespace AspireMmRag.Gateway.Model;

/// <summary>A retrieved image. <see cref="Url"/> is the gateway's own <c>/api/images/{imageId}</c>; <see cref="SourceUrl"/> is
/// where the image came from. The answer names the images it used as <c>[I1]</c>, <c>[I2]</c>... in the order of the list.</summary>
public sealed record ImageHit
{
    /// <summary>The media reference (sha256 of the bytes): the same picture in two documents is one image.</summary>
    public required string ImageId { get; init; }
    public required string Url { get; init; }
    public required string SourceUrl { get; init; }
    public required string DescriptionUrl { get; init; }
    public required string Caption { get; init; }
    public required string Attribution { get; init; }
    public required string License { get; init; }
    public required string DocumentId { get; init; }
    public required string DocumentTitle { get; init; }
    public required string DocumentUrl { get; init; }
    public required string Section { get; init; }
    public required double Score { get; init; }
}
