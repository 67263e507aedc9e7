using System.Text.Json;

namespace Drex.Model.Keywords;

/// <summary>
/// Document frequencies of keywords over a corpus of reviews, giving the smoothed inverse document frequency
/// idf(w) = ln((1 + N) / (1 + df(w))) + 1. A word never seen (or pruned) counts as df = 0. Immutable; stored in the
/// model bundle as JSON.
/// </summary>
public sealed class KeywordVocabulary
{
    /// <summary>
    /// The fewest training reviews a word must appear in to be a keyword (the bundle's vocabulary keeps no others):
    /// a word seen once is most often a misspelling, a part number or a name, and its IDF is the largest there is.
    /// </summary>
    public const int MinKeywordDocuments = 2;

    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Dictionary<string, int> _documentFrequencies;

    private KeywordVocabulary(int documentCount, Dictionary<string, int> documentFrequencies)
    {
        DocumentCount = documentCount;
        _documentFrequencies = documentFrequencies;
    }

    /// <summary>N: the number of documents counted.</summary>
    public int DocumentCount { get; }

    /// <summary>Number of words kept.</summary>
    public int Count => _documentFrequencies.Count;

    /// <summary>df per word.</summary>
    public IReadOnlyDictionary<string, int> DocumentFrequencies => _documentFrequencies;

    /// <summary>
    /// Counts, for each keyword, the documents that contain it. Each document is given as its word pieces
    /// (<see cref="KeywordExtractor.Words"/> picks its keywords). Words in fewer than
    /// <paramref name="minDocumentFrequency"/> documents are left out.
    /// </summary>
    public static KeywordVocabulary Build(IEnumerable<IReadOnlyList<string>> documents, int minDocumentFrequency = 1)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfLessThan(minDocumentFrequency, 1);

        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        foreach (var pieces in documents)
        {
            count++;
            foreach (var word in KeywordExtractor.Words(pieces))
            {
                frequencies[word] = frequencies.GetValueOrDefault(word) + 1;
            }
        }

        if (minDocumentFrequency > 1)
        {
            foreach (var (word, df) in frequencies)
            {
                if (df < minDocumentFrequency)
                {
                    frequencies.Remove(word);
                }
            }
        }

        return new KeywordVocabulary(count, frequencies);
    }

    /// <summary>Whether <paramref name="word"/> is in the vocabulary.</summary>
    public bool Contains(string word) => _documentFrequencies.ContainsKey(word);

    /// <summary>df(<paramref name="word"/>); 0 for a word not in the vocabulary.</summary>
    public int DocumentFrequency(string word) => _documentFrequencies.GetValueOrDefault(word);

    /// <summary>ln((1 + N) / (1 + df)) + 1.</summary>
    public float Idf(string word) => (float)(Math.Log((1.0 + DocumentCount) / (1.0 + DocumentFrequency(word))) + 1.0);

    /// <summary>JSON: <c>{"format":1,"documentCount":N,"documentFrequencies":{"word":df,...}}</c>, words in ordinal order.</summary>
    public string ToJson()
    {
        var sorted = _documentFrequencies.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        return JsonSerializer.Serialize(new Document(FormatVersion, DocumentCount, sorted), JsonOptions);
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid vocabulary.</exception>
    public static KeywordVocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("Keyword vocabulary JSON is malformed.", e);
        }

        if (document is null || document.Format != FormatVersion || document.DocumentCount < 0 || document.DocumentFrequencies is null)
        {
            throw new InvalidDataException($"Not a keyword vocabulary of format {FormatVersion}.");
        }

        foreach (var (word, df) in document.DocumentFrequencies)
        {
            if (df < 1 || df > document.DocumentCount)
            {
                throw new InvalidDataException($"Word '{word}' has document frequency {df} of {document.DocumentCount} documents.");
            }
        }

        return new KeywordVocabulary(document.DocumentCount, new Dictionary<string, int>(document.DocumentFrequencies, StringComparer.Ordinal));
    }

    private sealed record Document(
        int Format,
        int DocumentCount,
        Dictionary<string, int>? DocumentFrequencies);
}
