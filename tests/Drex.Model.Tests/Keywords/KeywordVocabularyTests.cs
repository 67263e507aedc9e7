using Drex.Model.Keywords;

namespace Drex.Model.Tests.Keywords;

public sealed class KeywordVocabularyTests
{
    private static readonly IReadOnlyList<string>[] Documents =
    [
        ["great", "strings", "great", "the"],
        ["strings", "broke", "2"],
        ["great", "tuner"],
        ["tuner", "gui", "##tar"],
    ];

    [Fact]
    public void Build_Documents_CountsEachKeywordOncePerDocument()
    {
        var vocabulary = KeywordVocabulary.Build(Documents);

        Assert.Equal(4, vocabulary.DocumentCount);
        Assert.Equal(2, vocabulary.DocumentFrequency("great"));
        Assert.Equal(2, vocabulary.DocumentFrequency("strings"));
        Assert.Equal(1, vocabulary.DocumentFrequency("guitar"));
        Assert.Equal(0, vocabulary.DocumentFrequency("the"));
        Assert.Equal(0, vocabulary.DocumentFrequency("2"));
        Assert.Equal(5, vocabulary.Count);
    }

    [Fact]
    public void Idf_KnownAndUnknownWords_FollowsSmoothedFormula()
    {
        var vocabulary = KeywordVocabulary.Build(Documents);

        Assert.Equal((float)(Math.Log(5.0 / 3.0) + 1), vocabulary.Idf("great"));
        Assert.Equal((float)(Math.Log(5.0 / 2.0) + 1), vocabulary.Idf("broke"));
        Assert.Equal((float)(Math.Log(5.0) + 1), vocabulary.Idf("capo"));
    }

    [Fact]
    public void Build_MinimumDocumentFrequency_PrunesRareWords()
    {
        var vocabulary = KeywordVocabulary.Build(Documents, minDocumentFrequency: 2);

        Assert.Equal(["great", "strings", "tuner"], vocabulary.DocumentFrequencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, vocabulary.DocumentCount);
    }

    [Fact]
    public void FromJson_WhatToJsonWrote_GivesSameFrequencies()
    {
        var vocabulary = KeywordVocabulary.Build(Documents);

        var json = vocabulary.ToJson();
        var restored = KeywordVocabulary.FromJson(json);

        Assert.Equal(
            """{"format":1,"documentCount":4,"documentFrequencies":{"broke":1,"great":2,"guitar":1,"strings":2,"tuner":2}}""",
            json);
        Assert.Equal(vocabulary.DocumentCount, restored.DocumentCount);
        Assert.Equal(vocabulary.DocumentFrequencies.OrderBy(e => e.Key), restored.DocumentFrequencies.OrderBy(e => e.Key));
    }

    [Theory]
    [InlineData("""{"format":2,"documentCount":4,"documentFrequencies":{}}""")]
    [InlineData("""{"format":1,"documentCount":1,"documentFrequencies":{"tone":2}}""")]
    [InlineData("""{"format":1,"documentCount":1}""")]
    [InlineData("""not json""")]
    public void FromJson_InvalidDocument_ThrowsInvalidData(string json)
    {
        Assert.Throws<InvalidDataException>(() => KeywordVocabulary.FromJson(json));
    }
}
