using AspireMmRag.Media;
using AspireMmRag.Messaging;
using AspireMmRag.TestModels;

namespace AspireMmRag.Gateway.Tests.Infrastructure;

/// <summary>
/// The documents the gateway tests search: Helsinki sights (four with a captioned, solid-colour image, so the CLIP-shaped
/// test model and the captions agree on which image is which) and a few unrelated articles. Questions with the document
/// they must cite, questions about an image, and questions no image answers.
/// </summary>
public static class FixtureCorpus
{
    public sealed record Image(string Colour, string Caption, string Section, string FileName);

    public sealed record Document(string Slug, string Title, IReadOnlyList<(string Section, string Text)> Sections, IReadOnlyList<Image> Images)
    {
        public string Id => $"folder:corpus/{Slug}.md";
    }

    public static readonly IReadOnlyList<Document> Documents =
    [
        new("helsinki-cathedral", "Helsinki Cathedral",
            [
                ("Helsinki Cathedral", "Helsinki Cathedral is a white neoclassical Lutheran church on the north side of Senate Square. It was designed by Carl Ludvig Engel and completed in 1852."),
                ("Helsinki Cathedral › Architecture", "The cathedral has a tall green dome surrounded by four smaller domes. Its broad staircase up from Senate Square is a favourite meeting place and one of the most photographed views in the city."),
            ],
            [new("green", "The green domes of Helsinki Cathedral above Senate Square", "Helsinki Cathedral › Architecture", "cathedral-domes.png")]),
        new("suomenlinna", "Suomenlinna",
            [
                ("Suomenlinna", "Suomenlinna is an eighteenth-century sea fortress built on six islands off the coast of Helsinki. It is a UNESCO World Heritage Site and one of the most popular tourist attractions in Finland."),
                ("Suomenlinna › Getting there", "Public ferries to the sea fortress leave from the Market Square every twenty minutes in summer; the crossing takes about fifteen minutes."),
            ],
            [new("blue", "A blue ferry crossing the harbour to the Suomenlinna sea fortress", "Suomenlinna › Getting there", "ferry.png")]),
        new("temppeliaukio", "Temppeliaukio Church",
            [
                ("Temppeliaukio Church", "Temppeliaukio Church is a Lutheran church carved directly into solid rock in the Töölö neighbourhood. Daylight enters through a ring of skylights under its copper dome, and its acoustics make it a popular concert venue."),
            ],
            []),
        new("market-square", "Market Square",
            [
                ("Market Square", "The Market Square by the South Harbour is the city's best known open-air market. Stalls sell fresh fish, berries, vegetables and handicrafts, and cafés serve coffee and salmon soup."),
                ("Market Square › Old Market Hall", "Next to the square, the Old Market Hall from 1889 houses delicatessens selling cheese, reindeer meat and pastries."),
            ],
            [new("yellow", "Yellow tents of the stalls on the Market Square", "Market Square", "market-tents.png")]),
        new("trams", "Trams in Helsinki",
            [
                ("Trams in Helsinki", "Helsinki has one of the oldest tram networks in the world, running since 1891. Around a dozen lines cross the city centre, and line 2 passes many of the main sights."),
                ("Trams in Helsinki › Rolling stock", "The newest Artic trams are low-floor vehicles built in Finland. Tickets are the same as for buses and the metro."),
            ],
            [new("red", "A red tram on Mannerheimintie in the city centre", "Trams in Helsinki", "tram.png")]),
        new("sibelius-monument", "Sibelius Monument",
            [
                ("Sibelius Monument", "The Sibelius Monument in Sibelius Park honours the composer Jean Sibelius. The sculptor Eila Hiltunen made it from more than six hundred hollow steel pipes welded together in a wave-like pattern, unveiled in 1967."),
            ],
            []),
        new("sauna", "Public saunas in Helsinki",
            [
                ("Public saunas in Helsinki", "Finnish sauna culture is on UNESCO's list of intangible heritage. Public saunas such as Löyly and Allas Sea Pool let visitors bathe in the steam and then cool off with a swim in the Baltic Sea, even in winter."),
            ],
            []),
        new("nuuksio", "Nuuksio National Park",
            [
                ("Nuuksio National Park", "Nuuksio National Park lies about thirty kilometres from central Helsinki. Its marked hiking trails lead through spruce forest, past lakes and rocky hills, and campfire sites are available for day trippers."),
            ],
            []),
        new("iphone", "iPhone",
            [
                ("iPhone", "The iPhone is a line of smartphones designed and marketed by Apple. Steve Jobs announced the first iPhone on January 9, 2007, and it was released in the United States in June 2007."),
                ("iPhone › Software", "iPhones run iOS, Apple's mobile operating system, and apps are installed from the App Store."),
            ],
            []),
        new("sopranos", "The Sopranos",
            [
                ("The Sopranos", "The Sopranos is an American crime drama television series created by David Chase. It follows the New Jersey mob boss Tony Soprano and aired on HBO from 1999 to 2007."),
            ],
            []),
    ];

    /// <summary>Questions and the document that must be cited for each.</summary>
    public static readonly IReadOnlyList<(string Question, string DocumentSlug)> CitedQuestions =
    [
        ("Which cathedral stands on Senate Square?", "helsinki-cathedral"),
        ("How do I take the ferry to the sea fortress?", "suomenlinna"),
        ("Which church is carved into solid rock?", "temppeliaukio"),
        ("Where can I buy fresh fish and berries by the harbour?", "market-square"),
        ("How old is the tram network and which line passes the main sights?", "trams"),
        ("What is the monument to the composer made of?", "sibelius-monument"),
        ("Where can I bathe in a sauna and swim in the sea?", "sauna"),
        ("Where can I go hiking in a national park near Helsinki?", "nuuksio"),
        ("When was the first iPhone announced?", "iphone"),
        ("Who created The Sopranos?", "sopranos"),
        ("What can I buy in the Old Market Hall?", "market-square"),
    ];

    /// <summary>Questions about a picture, and the colour of the image that must be returned first.</summary>
    public static readonly IReadOnlyList<(string Question, string Colour)> ImageQuestions =
    [
        ("Show me a photo of a red tram in the city centre", "red"),
        ("What do the yellow tents on the Market Square look like?", "yellow"),
        ("A picture of the blue ferry to Suomenlinna", "blue"),
        ("Show me the green domes of the cathedral", "green"),
    ];

    /// <summary>Questions no image in the corpus matches.</summary>
    public static readonly IReadOnlyList<string> NoImageQuestions =
    [
        "Who created The Sopranos?",
        "When was the first iPhone announced?",
        "Which operating system do iPhones run?",
        "What is the monument to the composer made of?",
        "Where can I bathe in a sauna and swim in the sea?",
    ];

    public static byte[] ImageBytes(Image image)
    {
        var (r, g, b) = TestImages.Colours[image.Colour];
        return TestImages.SolidPng(r, g, b, 96, 96);
    }

    /// <summary>The documents as the crawler would publish them, with their images put in <paramref name="media"/>.</summary>
    public static async Task<IReadOnlyList<DocumentCrawled>> ToMessagesAsync(IMediaStore media, CancellationToken cancellationToken)
    {
        var messages = new List<DocumentCrawled>();
        foreach (var document in Documents)
        {
            var images = new List<DocumentImage>();
            foreach (var image in document.Images)
            {
                var mediaRef = await media.PutAsync(ImageBytes(image), cancellationToken);
                images.Add(new DocumentImage
                {
                    MediaRef = mediaRef,
                    SourceUrl = $"corpus/{image.FileName}",
                    MimeType = "image/png",
                    Width = 96,
                    Height = 96,
                    Caption = image.Caption,
                    License = "CC BY-SA 4.0",
                    Artist = "Test Photographer",
                    Attribution = "Test Photographer, CC BY-SA 4.0",
                    Section = image.Section,
                });
            }
            messages.Add(new DocumentCrawled
            {
                DocumentId = document.Id,
                Source = "folder",
                Title = document.Title,
                Url = $"corpus/{document.Slug}.md",
                Revision = "1",
                ContentHash = MediaReference.For(System.Text.Encoding.UTF8.GetBytes(document.Slug + string.Concat(document.Sections.Select(s => s.Text)))),
                Sections = document.Sections.Select((s, i) => new DocumentSection
                {
                    Title = s.Section.Split(" › ").Last(),
                    Path = s.Section,
                    Level = i == 0 ? 1 : 2,
                    Text = s.Text,
                }).ToList(),
                Images = images,
            });
        }
        return messages;
    }
}
