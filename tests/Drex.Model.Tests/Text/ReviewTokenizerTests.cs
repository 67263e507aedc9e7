using Drex.Model.Text;

namespace Drex.Model.Tests.Text;

public sealed class ReviewTokenizerTests
{
    private static readonly ReviewTokenizer Tokenizer = ReviewTokenizer.LoadEmbedded();

    [Fact]
    public void Tokenize_KnownSentence_GivesLowerCaseWordPieces()
    {
        var pieces = Tokenizer.Tokenize("The Guitar strings sound GREAT, unbelievably! I've had 2.");

        Assert.Equal(
            ["the", "guitar", "strings", "sound", "great", ",", "un", "##bel", "##ie", "##va", "##bly", "!", "i", "'", "ve", "had", "2", "."],
            pieces);
    }

    [Fact]
    public void Tokenize_RareWord_SplitsIntoContinuationPieces()
    {
        var pieces = Tokenizer.Tokenize("Fretboards");

        Assert.Equal(["fr", "##et", "##boards"], pieces);
    }

    [Fact]
    public void Tokenize_AccentsAndSpecialTokenText_StripsAccentsAndKeepsBracketsAsText()
    {
        var pieces = Tokenizer.Tokenize("Café Naïve Ångström [SEP]");

        Assert.Equal(["cafe", "naive", "ang", "##strom", "[", "sep", "]"], pieces);
    }

    [Fact]
    public void Tokenize_AsciiSymbols_SplitsThemOffAsPieces()
    {
        var pieces = Tokenizer.Tokenize("Paid $5+tax = cheap~ish; a^b|c<d>e `x`");

        Assert.Equal(
            ["paid", "$", "5", "+", "tax", "=", "cheap", "~", "is", "##h", ";", "a", "^", "b", "|", "c", "<", "d", ">", "e", "`", "x", "`"],
            pieces);
    }

    [Fact]
    public void Tokenize_TabsAndLineBreaks_SeparateWords()
    {
        Assert.Equal(["one", "line", "note", "book"], Tokenizer.Tokenize("one\nline note\tbook"));
    }

    [Fact]
    public void Tokenize_NonAsciiSymbolsEmojiAndCjk_FollowBertRules()
    {
        Assert.Equal(["great", "[UNK]", "pedal", "5", "##°", "##c", "©", "2014"], Tokenizer.Tokenize("Great 😀 pedal 5°C © 2014"));
        Assert.Equal(["日", "本", "語", "text"], Tokenizer.Tokenize("日本語 text"));
    }

    [Fact]
    public void Tokenize_WhitespaceText_GivesNoPieces()
    {
        Assert.Empty(Tokenizer.Tokenize("  \t\n "));
    }

    [Fact]
    public void Tokenize_LongText_TruncatesToMaxTokensLessTwo()
    {
        var text = string.Join(' ', Enumerable.Repeat("guitar", 500));

        var pieces = Tokenizer.Tokenize(text);

        Assert.Equal(126, pieces.Length);
    }
}
