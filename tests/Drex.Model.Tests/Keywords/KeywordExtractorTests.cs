using Drex.Model.Keywords;

namespace Drex.Model.Tests.Keywords;

public sealed class KeywordExtractorTests
{
    [Fact]
    public void MergePieces_ContinuationPieces_JoinsWordsAndSumsWeights()
    {
        string[] pieces = ["the", "gui", "##tar", "fr", "##et", "##boards", "!"];
        float[] alphas = [0.1f, 0.2f, 0.3f, 0.05f, 0.1f, 0.15f, 0.1f];

        var words = KeywordExtractor.MergePieces(pieces, alphas);

        Assert.Equal(["the", "guitar", "fretboards", "!"], words.Select(w => w.Word));
        Assert.Equal([0.1f, 0.5f, 0.3f, 0.1f], words.Select(w => w.Weight), new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void MergePieces_LeadingContinuationPiece_StartsItsOwnWord()
    {
        var words = KeywordExtractor.MergePieces(["##tar", "##s", "case"], [0.25f, 0.25f, 0.5f]);

        Assert.Equal([("tars", 0.5f), ("case", 0.5f)], words);
    }

    [Fact]
    public void MergePieces_WeightCountMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => KeywordExtractor.MergePieces(["a", "b"], [1f]));
    }

    [Theory]
    [InlineData("guitar", true)]
    [InlineData("sm57", true)]
    [InlineData("mp3", true)]
    [InlineData("the", false)]
    [InlineData("ve", false)]
    [InlineData("don", false)]
    [InlineData("s", false)]
    [InlineData("x", false)]
    [InlineData("2014", false)]
    [InlineData("2nd", false)]
    [InlineData("5mm", false)]
    [InlineData("!", false)]
    [InlineData("--", false)]
    [InlineData("##", false)]
    public void IsKeyword_Word_DropsStopWordsPunctuationNumbersAndSingleCharacters(string word, bool expected)
    {
        Assert.Equal(expected, KeywordExtractor.IsKeyword(word));
    }

    [Fact]
    public void Words_ReviewPieces_KeepsDistinctKeywordsInFirstOrder()
    {
        // "I've had these pickups for 2 years; the pickups rock!"
        string[] pieces = ["i", "'", "ve", "had", "these", "pickup", "##s", "for", "2", "years", ";", "the", "pickup", "##s", "rock", "!"];

        Assert.Equal(["pickups", "years", "rock"], KeywordExtractor.Words(pieces));
    }

    [Fact]
    public void Extract_RepeatedWord_SumsAttentionThenMultipliesByIdf()
    {
        // N = 3 documents; "strings" in 1 (idf = ln(4/2) + 1), "tone" in 3 (idf = ln(4/4) + 1 = 1).
        var vocabulary = KeywordVocabulary.Build([["strings", "tone"], ["tone"], ["tone", "great"]]);
        string[] pieces = ["strings", "and", "tone", ",", "strings", "42"];
        float[] alphas = [0.2f, 0.1f, 0.3f, 0.05f, 0.25f, 0.1f];

        var keywords = KeywordExtractor.Extract(pieces, alphas, vocabulary);

        Assert.Equal(["strings", "tone"], keywords.Select(k => k.Word));
        Assert.Equal(0.45f * (float)(Math.Log(2) + 1), keywords[0].Weight, 1e-6f);
        Assert.Equal(0.3f, keywords[1].Weight, 1e-6f);
    }

    [Fact]
    public void Extract_WordOutsideVocabulary_IsNoKeyword()
    {
        // "capo" was never counted; "cable" was pruned for appearing in one document only.
        var vocabulary = KeywordVocabulary.Build([["tone", "cable"], ["tone"]], minDocumentFrequency: 2);

        var keywords = KeywordExtractor.Extract(["capo", "cable", "tone"], [0.5f, 0.3f, 0.2f], vocabulary);

        Assert.Equal([("tone", 0.2f)], keywords);
    }

    [Fact]
    public void IsKeyword_NumbersWrittenAsWordsAndFillers_AreNot()
    {
        Assert.All(["one", "five", "twenty", "hundred", "well", "around", "always"], w => Assert.False(KeywordExtractor.IsKeyword(w), w));
        Assert.All(["tuner", "metronome", "strings"], w => Assert.True(KeywordExtractor.IsKeyword(w), w));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
