using System.Collections.Frozen;

namespace Drex.Model.Keywords;

/// <summary>
/// English stop words, lower case, as BERT's tokeniser leaves them: contractions come apart at the apostrophe, so
/// their fragments ("s", "t", "ve", "don", "isn") are listed too; numbers written as words count as numbers.
/// </summary>
public static class StopWords
{
    private static readonly FrozenSet<string> Words = new[]
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even", "ever", "every",
        "few", "for", "from", "further", "get", "got", "had", "has", "have", "having", "he", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "let", "may", "me", "might", "more", "most", "much", "must", "my", "myself",
        "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
        "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very",
        "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
        "will", "with", "would", "yet", "you", "your", "yours", "yourself", "yourselves",
        // Adverbs and quantifiers that say nothing of a topic (from the common English lists, e.g. scikit-learn's).
        "almost", "already", "always", "among", "another", "anyone", "anything", "anyway", "around", "else", "enough",
        "everyone", "everything", "last", "least", "less", "many", "often", "perhaps", "quite", "rather", "since",
        "someone", "something", "sometimes", "still", "though", "together", "well", "whole", "within", "without",
        // Numbers written as words (digits are never keywords).
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty",
        "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million",
        // Contraction fragments: "it's" -> it ' s, "don't" -> don ' t, "I'd" -> i ' d.
        "s", "t", "d", "m", "ll", "re", "ve", "y", "o", "ain", "aren", "couldn", "didn", "doesn", "don", "hadn",
        "hasn", "haven", "isn", "ma", "mightn", "mustn", "needn", "shan", "shouldn", "wasn", "weren", "won", "wouldn",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="word"/> (lower case) is a stop word.</summary>
    public static bool Contains(string word) => Words.Contains(word);

    /// <summary>Number of stop words.</summary>
    public static int Count => Words.Count;
}
