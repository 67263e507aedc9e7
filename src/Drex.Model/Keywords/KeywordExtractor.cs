using System.Numerics.Tensors;
using System.Text;

namespace Drex.Model.Keywords;

/// <summary>
/// Turns a review's word pieces and attention weights into keywords: pieces are merged back into words (a word's
/// weight is the sum of its pieces' weights), then stop words, punctuation, numbers and one-character words are dropped.
/// </summary>
public static class KeywordExtractor
{
    private const string Continuation = "##";

    /// <summary>
    /// The review's keywords with weight = summed attention x IDF, one entry per distinct word, heaviest first
    /// (ties by word, ordinal). Only words of <paramref name="vocabulary"/> (seen in enough training reviews) that
    /// pass <see cref="IsKeyword"/> are keywords: a word the model has not seen waits for the next retrain, whose
    /// vocabulary counts it, and a bundle built before a stop word was added still drops it.
    /// </summary>
    public static IReadOnlyList<(string Word, float Weight)> Extract(
        IReadOnlyList<string> pieces, ReadOnlySpan<float> alphas, KeywordVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var (word, weight) in MergePieces(pieces, alphas))
        {
            if (IsKeyword(word) && vocabulary.Contains(word))
            {
                weights[word] = weights.GetValueOrDefault(word) + weight;
            }
        }

        return weights
            .Select(w => (w.Key, w.Value * vocabulary.Idf(w.Key)))
            .OrderByDescending(w => w.Item2)
            .ThenBy(w => w.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The distinct keywords of a review, in order of first appearance (for document frequencies).</summary>
    public static IReadOnlyList<string> Words(IReadOnlyList<string> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (var (start, end) in WordSpans(pieces))
        {
            var word = Join(pieces, start, end);
            if (IsKeyword(word) && seen.Add(word))
            {
                words.Add(word);
            }
        }

        return words;
    }

    /// <summary>
    /// Every word of the piece sequence, in order, with the sum of its pieces' weights: "gui" + "##tar" becomes
    /// "guitar". A leading continuation piece (from truncation) starts a word of its own.
    /// </summary>
    public static List<(string Word, float Weight)> MergePieces(IReadOnlyList<string> pieces, ReadOnlySpan<float> alphas)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (alphas.Length != pieces.Count)
        {
            throw new ArgumentException($"Expected {pieces.Count} weights, one per piece; got {alphas.Length}.", nameof(alphas));
        }

        var merged = new List<(string Word, float Weight)>();
        foreach (var (start, end) in WordSpans(pieces))
        {
            merged.Add((Join(pieces, start, end), TensorPrimitives.Sum(alphas[start..end])));
        }

        return merged;
    }

    /// <summary>
    /// Whether <paramref name="word"/> can be a keyword: at least two characters, starting with a letter, only
    /// letters and digits (so "sm57" and "mp3" stay, "2nd", "5mm" and "1/4" go), and not a stop word.
    /// </summary>
    public static bool IsKeyword(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length < 2 || !char.IsLetter(word[0]))
        {
            return false;
        }

        foreach (var c in word)
        {
            if (!char.IsLetterOrDigit(c))
            {
                return false;
            }
        }

        return !StopWords.Contains(word);
    }

    /// <summary>Piece ranges [start, end) of the words: a piece and the continuation pieces after it.</summary>
    private static IEnumerable<(int Start, int End)> WordSpans(IReadOnlyList<string> pieces)
    {
        var start = 0;
        for (var i = 1; i <= pieces.Count; i++)
        {
            if (i == pieces.Count || !IsContinuation(pieces[i]))
            {
                yield return (start, i);
                start = i;
            }
        }
    }

    private static string Join(IReadOnlyList<string> pieces, int start, int end)
    {
        var first = IsContinuation(pieces[start]) ? pieces[start][Continuation.Length..] : pieces[start];
        if (end - start == 1)
        {
            return first;
        }

        var builder = new StringBuilder(first);
        for (var i = start + 1; i < end; i++)
        {
            builder.Append(pieces[i], Continuation.Length, pieces[i].Length - Continuation.Length);
        }

        return builder.ToString();
    }

    private static bool IsContinuation(string piece) =>
        piece.Length > Continuation.Length && piece.StartsWith(Continuation, StringComparison.Ordinal);
}
