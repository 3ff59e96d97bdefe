using System.Text;
using SkiaSharp;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace AspireMmRag.Crawler.Tests;

/// <summary>
/// A folder root "docs" with a Markdown guide, an HTML page, a text file, a PDF (made with PdfPig), images beside them (one
/// with a licence sidecar, one unreferenced), a subfolder, a hidden folder, an in-root symlink and two symlinks that point
/// outside the root (to a file and to a folder next to it).
/// </summary>
public sealed class FolderFixture : IDisposable
{
    public static readonly byte[] CathedralJpeg = TestImages.Jpeg(64, 48, new SKColor(10, 20, 200));
    public static readonly byte[] MarketPng = TestImages.Png(40, 30, new SKColor(220, 120, 10));
    public static readonly byte[] HarbourWebP = TestImages.WebP(50, 40, new SKColor(0, 160, 160));
    public static readonly byte[] SecretPng = TestImages.Png(20, 20, new SKColor(0, 0, 0));

    private readonly TempDirectory _temp = new("crawler-folders");

    public FolderFixture()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        Directory.CreateDirectory(Path.Combine(Root, ".hidden"));

        Write("guide.md", """
            ---
            layout: page
            ---
            # Helsinki guide

            Helsinki is best seen on foot. See [the city site](https://www.hel.fi) for events.

            ![The cathedral at dusk](helsinki_cathedral.jpg "Cathedral")

            ## Sights

            The market hall opens at eight.

            ### Islands

            Ferries leave from the Market Square.

            ```bash
            # not a heading
            ```
            """);
        File.WriteAllBytes(Path.Combine(Root, "helsinki_cathedral.jpg"), CathedralJpeg);
        Write("helsinki_cathedral.jpg.json", """{ "license": "CC0 1.0", "artist": "Test Photographer", "attribution": "Photo: Test Photographer" }""");

        Write("market.html", """
            <!DOCTYPE html>
            <html><head><title>Market Square</title><style>p { color: red }</style></head>
            <body>
              <h1>Market Square</h1>
              <p>The square by the harbour.</p>
              <h2>Food</h2>
              <p>Salmon soup and <b>fried</b> herring.</p>
              <figure><img src="market_square.png" alt="Market Square stalls"><figcaption>Stalls in June</figcaption></figure>
              <img src="https://example.org/remote.png" alt="remote">
              <script>var hidden = "script text";</script>
              <h3>Opening hours</h3>
              <ul><li>Weekdays 6.30–18</li><li>Saturdays 6.30–16</li></ul>
            </body></html>
            """);
        File.WriteAllBytes(Path.Combine(Root, "market_square.png"), MarketPng);
        File.WriteAllBytes(Path.Combine(Root, "harbour_view.webp"), HarbourWebP);
        Write("notes.txt", "Bring a warm coat.\nThe wind from the sea is cold.");
        File.WriteAllBytes(Path.Combine(Root, "report.pdf"), Pdf());
        Write(Path.Combine("sub", "nested.md"), "Nested page text.\n\n## Details\n\nMore ![](missing.png) here.");
        Write(Path.Combine(".hidden", "draft.md"), "# Draft");

        File.WriteAllText(Path.Combine(Outside, "secret.md"), "# Secret\n\nDo not crawl.");
        File.WriteAllBytes(Path.Combine(Outside, "secret.png"), SecretPng);
        File.CreateSymbolicLink(Path.Combine(Root, "secret-link.md"), Path.Combine(Outside, "secret.md"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "outside-dir"), Outside);
        File.CreateSymbolicLink(Path.Combine(Root, "inside-link.txt"), "notes.txt");
    }

    public string Root => _temp.Combine("docs");
    public string Outside => _temp.Combine("outside");
    public string Media => _temp.Combine("media");

    public Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Crawler:Folders:Roots:0"] = Root,
            ["MediaStore:Directory"] = Media,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    private void Write(string relativePath, string text) => File.WriteAllText(Path.Combine(Root, relativePath), text, Encoding.UTF8);

    private static byte[] Pdf()
    {
        var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = "Harbour report";
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(PageSize.A4).AddText("Ferries to Suomenlinna run all year.", 12, new PdfPoint(50, 700), font);
        builder.AddPage(PageSize.A4).AddText("Ice breakers keep the harbour open.", 12, new PdfPoint(50, 700), font);
        return builder.Build();
    }

    public void Dispose() => _temp.Dispose();
}
