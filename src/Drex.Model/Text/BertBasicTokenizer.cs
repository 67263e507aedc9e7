using System.Globalization;
using System.Text;

namespace Drex.Model.Text;

/// <summary>
/// BERT's basic tokenisation (Hugging Face BertNormalizer + BertPreTokenizer, uncased): drop control characters,
/// treat any white space as a separator, put CJK ideographs apart, lower-case, strip accents, and split off every
/// punctuation character, where punctuation is Unicode P* plus all non-alphanumeric printable ASCII.
/// </summary>
/// <remarks>
/// Done here rather than by Microsoft.ML.Tokenizers' BertTokenizer pre-tokeniser, which drops symbol characters
/// ($ + = ~ ...; dotnet/machinelearning#7725) and joins words split only by \n, \t or \r (#7724). Accent stripping
/// cannot use Unicode decomposition under InvariantGlobalization (string.Normalize is a no-op there), so Latin letters
/// U+00C0..U+024F are folded by table and stand-alone combining marks are dropped; other precomposed letters (Greek,
/// Cyrillic, Vietnamese, Hangul) are kept as they are.
/// </remarks>
internal static class BertBasicTokenizer
{
    private const int FoldFirst = 0xC0;

    // One entry per code point from U+00C0: the ASCII letter its decomposition starts with, or '.' to keep it.
    private const string FoldTable =
        "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl." +
        "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz." +
        "................................Oo.............Uu..............." +
        ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...." +
        "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............" +
        "................";

    /// <summary>The words of <paramref name="text"/>, ready for WordPiece.</summary>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (IsWhiteSpace(rune, category))
            {
                Flush(word, words);
            }
            else if (rune.Value is 0 or 0xFFFD || IsControl(category) || category == UnicodeCategory.NonSpacingMark)
            {
                // Removed by cleaning (controls) or by accent stripping (combining marks).
            }
            else if (IsPunctuation(rune, category) || IsCjk(rune.Value))
            {
                Flush(word, words);
                words.Add(rune.ToString());
            }
            else
            {
                var lower = Rune.ToLowerInvariant(rune);
                var folded = lower.Value - FoldFirst;
                if (folded >= 0 && folded < FoldTable.Length && FoldTable[folded] != '.')
                {
                    word.Append(char.ToLowerInvariant(FoldTable[folded]));
                }
                else
                {
                    word.Append(lower.ToString());
                }
            }
        }

        Flush(word, words);
        return words;
    }

    private static void Flush(StringBuilder word, List<string> words)
    {
        if (word.Length > 0)
        {
            words.Add(word.ToString());
            word.Clear();
        }
    }

    private static bool IsWhiteSpace(Rune rune, UnicodeCategory category) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(UnicodeCategory category) => category is UnicodeCategory.Control
        or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
        or UnicodeCategory.OtherNotAssigned;

    private static bool IsPunctuation(Rune rune, UnicodeCategory category) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
            or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;

    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
