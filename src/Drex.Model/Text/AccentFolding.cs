using System.Globalization;
using System.Text;

namespace Drex.Model.Text;

/// <summary>
/// BERT-uncased accent stripping (NFD, then drop non-spacing marks) without ICU: the build runs with
/// InvariantGlobalization, where <see cref="string.Normalize()"/> is a no-op. Latin letters U+00C0..U+024F that
/// decompose to an ASCII letter plus marks are folded by table; stand-alone combining marks are dropped. Other
/// precomposed letters (Greek, Cyrillic, Vietnamese) keep their accents.
/// </summary>
internal static class AccentFolding
{
    private const char First = '\u00C0';

    // One entry per code point from U+00C0; '.' keeps the character as it is.
    private const string Table =
        "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl." +
        "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz." +
        "................................Oo.............Uu..............." +
        ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...." +
        "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............" +
        "................";

    public static string Fold(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u007F'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= First && c < First + Table.Length && Table[c - First] != '.')
            {
                builder.Append(Table[c - First]);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
