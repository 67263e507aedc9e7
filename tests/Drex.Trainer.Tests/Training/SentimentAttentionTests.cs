using Drex.Model.Bundle;
using Drex.Trainer.Training;
using static TorchSharp.torch;

namespace Drex.Trainer.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class SentimentAttentionTests
{
    private static readonly string[] KeywordAttention =
        [ModelWeights.AttentionWeight, ModelWeights.AttentionBias, ModelWeights.AttentionVector, ModelWeights.TextWeight, ModelWeights.TextBias];

    private static readonly string[] SentimentAttention =
    [
        ModelWeights.SentimentAttentionWeight, ModelWeights.SentimentAttentionBias, ModelWeights.SentimentAttentionVector,
        ModelWeights.SentimentTextWeight, ModelWeights.SentimentTextBias,
    ];

    [Fact]
    public void AuxiliaryLoss_WithSentimentAttention_ReachesOnlyTheSentimentAttention()
    {
        var gradients = AuxiliaryGradients(sentiment: true);

        Assert.All(KeywordAttention, name => Assert.Equal(0.0, gradients[name]));
        Assert.All(SentimentAttention, name => Assert.True(gradients[name] > 0, $"{name} has no gradient"));
    }

    [Fact]
    public void AuxiliaryLoss_WithoutSentimentAttention_ReachesTheKeywordAttention()
    {
        var gradients = AuxiliaryGradients(sentiment: false);

        Assert.All(KeywordAttention, name => Assert.True(gradients[name] > 0, $"{name} has no gradient"));
    }

    [Fact]
    public void Encode_WithSentimentAttention_FusesBothTextFeatures()
    {
        var settings = new ModelSettings { SentimentAttention = true, GlobalMean = 3f, HiddenDim = 8, FusionDim = 8 };
        using var net = new DrexNet(settings, users: 2, items: 2, perIdOffsets: false);
        var weights = net.ExportWeights();

        Assert.Equal(settings.RatingDim + 2 * settings.TextFeatureDim + 2, settings.FusionInputDim);
        Assert.Equal([settings.FusionDim, settings.FusionInputDim], weights[ModelWeights.FusionWeight].Shape);
        Assert.All(SentimentAttention, name => Assert.NotNull(weights[name]));
    }

    /// <summary>Sum of |gradient| of each parameter after backpropagating the auxiliary loss alone.</summary>
    private static Dictionary<string, double> AuxiliaryGradients(bool sentiment)
    {
        random.manual_seed(3);
        var settings = new ModelSettings { SentimentAttention = sentiment, GlobalMean = 3f, HiddenDim = 8, FusionDim = 8 };
        using var net = new DrexNet(settings, users: 2, items: 2, perIdOffsets: false, auxText: true);
        using var scope = NewDisposeScope();
        var mask = ones(3, 5);
        mask[2, 3] = tensor(0f);
        mask[2, 4] = tensor(0f);
        var (_, _, text) = net.EncodeWithText(
            randn(3, 5, settings.TextDim), mask, tensor(new long[] { 0, 2, 4 }), ones(3, 1), ones(3, 1));
        net.AuxiliaryRating(text).sub(tensor(new[] { -1f, 0.5f, 1f })).Squared().sum().backward();
        return net.named_parameters().ToDictionary(
            p => p.name, p => p.parameter.grad is { } g ? g.abs().sum().item<float>() : 0.0);
    }
}
