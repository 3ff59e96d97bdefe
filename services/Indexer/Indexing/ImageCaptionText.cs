namespace AspireMmRag.Indexer.Indexing;

/// <summary>
/// The text embedded with the passage model for an image's caption record: the caption (ending with a full stop unless it
/// already ends with . ! ? or …), then " — " and where the image is: the document title and the section path joined with
/// " › " ("The cathedral at dusk. — Helsinki guide › Sights › Islands"). Without a caption it is the title › section alone;
/// a section equal to the title is left out; with nothing at all it is "image".
/// </summary>
public static class ImageCaptionText
{
    public const string PathSeparator = " › ";
    public const string PlaceSeparator = " — ";

    public static string For(string caption, string title, string section)
    {
        caption = caption.Trim();
        title = title.Trim();
        section = section.Trim();
        var place = string.Join(PathSeparator, new[] { title, section == title ? "" : section }.Where(part => part.Length > 0));
        if (caption.Length > 0 && !caption.EndsWith('.') && !caption.EndsWith('!') && !caption.EndsWith('?') && !caption.EndsWith('…'))
        {
            caption += ".";
        }
        return (caption.Length, place.Length) switch
        {
            ( > 0, > 0) => caption + PlaceSeparator + place,
            ( > 0, 0) => caption,
            (0, > 0) => place,
            _ => "image",
        };
    }
}
