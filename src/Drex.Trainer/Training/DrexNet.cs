using Drex.Model.Bundle;
using Drex.Model.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Drex.Trainer.Training;

/// <summary>
/// The DReX network (MODEL.md): additive attention over frozen review token vectors, a rating embedding, fusion
/// with modality masks, GRU cells for users and items, learned initial states (plus optional per-id offsets),
/// per-id biases, and the dot and MLP heads; optionally a second, sentiment attention (ModelSettings.SentimentAttention)
/// whose feature is fused next to the keyword attention's and is the only input of the auxiliary text head. Field
/// names are the weight keys exported to the bundle.
/// </summary>
internal sealed class DrexNet : nn.Module
{
#pragma warning disable IDE1006 // TorchSharp registers parameters under their field names: snake_case keys.
    private readonly Linear attention;
    private readonly Parameter attention_vector;
    private readonly Linear text;
    private readonly Embedding rating;
    private readonly Linear fusion;
    private readonly GRUCell user_cell;
    private readonly GRUCell? item_cell;
    private readonly Parameter user_initial;
    private readonly Parameter item_initial;
    private readonly Embedding? user_offset;
    private readonly Embedding? item_offset;
    private readonly Embedding user_bias;
    private readonly Embedding item_bias;
    private readonly Linear mlp_hidden;
    private readonly Linear mlp_out;
    private readonly Dropout text_dropout;
    private readonly Linear? aux_text;
    private readonly Parameter? dot_weight;
    private readonly Linear? user_readout;
    private readonly Linear? item_readout;
    private readonly Linear? sentiment_attention;
    private readonly Parameter? sentiment_vector;
    private readonly Linear? sentiment_text;
#pragma warning restore IDE1006

    // Scalars held for the module's lifetime: a temporary Scalar from an implicit conversion (including the alpha of
    // Tensor + Tensor, hence add(x, _one) everywhere) can be finalised while the native call that uses it still runs
    // ("Unknown scalar type" or "Expected false to be true" from c10::Scalar::toFloat after thousands of steps).
    private readonly Scalar _one = 1f.ToScalar();
    private readonly Scalar _maskPenalty = DrexGraphs.MaskPenalty.ToScalar();

    public DrexNet(ModelSettings settings, int users, int items, bool perIdOffsets, double dropout = 0, bool auxText = false) : base("drex")
    {
        text_dropout = nn.Dropout(dropout);
        Settings = settings;
        var (h, f) = (settings.HiddenDim, settings.FusionDim);
        attention = nn.Linear(settings.TextDim, settings.AttentionDim);
        attention_vector = nn.Parameter(randn(settings.AttentionDim) * (1.0 / Math.Sqrt(settings.AttentionDim)));
        text = nn.Linear(settings.TextDim, settings.TextFeatureDim);
        rating = nn.Embedding(settings.RatingLevels, settings.RatingDim);
        fusion = nn.Linear(settings.FusionInputDim, f);
        user_cell = nn.GRUCell(f, h);
        item_cell = settings.SharedCells ? null : nn.GRUCell(f, h);
        user_initial = nn.Parameter(randn(h) * 0.1);
        item_initial = nn.Parameter(randn(h) * 0.1);
        if (perIdOffsets)
        {
            user_offset = nn.Embedding(users, h);
            item_offset = nn.Embedding(items, h);
            using (no_grad())
            {
                user_offset.weight!.normal_(0, 0.01);
                item_offset.weight!.normal_(0, 0.01);
            }
        }

        user_bias = nn.Embedding(users, 1);
        item_bias = nn.Embedding(items, 1);
        using (no_grad())
        {
            user_bias.weight!.zero_();
            item_bias.weight!.zero_();
        }

        mlp_hidden = nn.Linear(3 * h, settings.MlpHiddenDim);
        mlp_out = nn.Linear(settings.MlpHiddenDim, 1);
        if (settings.ActorReadouts)
        {
            dot_weight = nn.Parameter(ones(h));
            user_readout = nn.Linear(h, 1);
            item_readout = nn.Linear(h, 1);
            using (no_grad())
            {
                user_readout.weight!.mul_(0.1);
                item_readout.weight!.mul_(0.1);
                user_readout.bias!.zero_();
                item_readout.bias!.zero_();
            }
        }

        if (settings.SentimentAttention)
        {
            sentiment_attention = nn.Linear(settings.TextDim, settings.AttentionDim);
            sentiment_vector = nn.Parameter(randn(settings.AttentionDim) * (1.0 / Math.Sqrt(settings.AttentionDim)));
            sentiment_text = nn.Linear(settings.TextDim, settings.TextFeatureDim);
        }

        if (auxText)
        {
            aux_text = nn.Linear(settings.TextFeatureDim, 1);
        }

        RegisterComponents();
    }

    public ModelSettings Settings { get; }

    /// <summary>tokens [B,L,D], mask [B,L] -> (feature [B,F], attention [B,L]).</summary>
    public (Tensor Feature, Tensor Attention) Encode(Tensor tokens, Tensor mask, Tensor levels, Tensor hasRating, Tensor hasReview)
    {
        var (feature, alpha, _) = EncodeWithText(tokens, mask, levels, hasRating, hasReview);
        return (feature, alpha);
    }

    /// <summary>
    /// Training only: the rating the auxiliary head reads from a review's own text feature (centred on mu), [B]: t_s
    /// of the sentiment attention when the settings have one, else t_d. The head is not exported; it only shapes that
    /// feature (and through it the states) towards the review's sentiment.
    /// </summary>
    public Tensor AuxiliaryRating(Tensor textFeature) =>
        (aux_text ?? throw new InvalidOperationException("No auxiliary text head.")).forward(textFeature).squeeze(1);

    /// <summary>
    /// As <see cref="Encode"/>, also returning the review feature the auxiliary head reads [B,T]: t_s of the sentiment
    /// attention when the settings have one (nothing of the keyword attention flows into it), else t_d.
    /// </summary>
    public (Tensor Feature, Tensor Attention, Tensor Text) EncodeWithText(Tensor tokens, Tensor mask, Tensor levels, Tensor hasRating, Tensor hasReview)
    {
        var (alpha, textFeature) = Pool(attention, attention_vector, text, tokens, mask);
        var auxiliaryInput = textFeature;
        var texts = new List<Tensor> { textFeature * hasReview };
        if (sentiment_attention is not null && sentiment_vector is not null && sentiment_text is not null)
        {
            (_, auxiliaryInput) = Pool(sentiment_attention, sentiment_vector, sentiment_text, tokens, mask);
            texts.Add(auxiliaryInput * hasReview);
        }

        var fused = cat([rating.forward(levels) * hasRating, .. texts, hasRating, hasReview], 1);
        return (fusion.forward(fused).relu(), alpha, auxiliaryInput);
    }

    /// <summary>Additive attention with a masked softmax, dropout on the pooled vector, projection: (alpha [B,L], feature [B,T]).</summary>
    private (Tensor Alpha, Tensor Feature) Pool(Linear scorer, Tensor vector, Linear projection, Tensor tokens, Tensor mask)
    {
        var scores = scorer.forward(tokens).tanh().matmul(vector);
        var alpha = scores.add(mask.sub(_one).mul(_maskPenalty), _one).softmax(-1);
        var pooled = text_dropout.forward(alpha.unsqueeze(1).matmul(tokens).squeeze(1));
        return (alpha, projection.forward(pooled).relu());
    }

    /// <summary>The starting state of users (by index) before their first interaction.</summary>
    public Tensor UserInitial(Tensor users) =>
        user_offset is null ? user_initial.expand(users.shape[0], -1) : user_initial.add(user_offset.forward(users), _one);

    public Tensor ItemInitial(Tensor items) =>
        item_offset is null ? item_initial.expand(items.shape[0], -1) : item_initial.add(item_offset.forward(items), _one);

    public Tensor StepUsers(Tensor feature, Tensor state) => user_cell.forward(feature, state);

    public Tensor StepItems(Tensor feature, Tensor state) => (item_cell ?? user_cell).forward(feature, state);

    /// <summary>
    /// A linear calibration of the interaction term (p.q or the MLP), fitted on validation after training:
    /// states replayed over the whole training sequence are more mature than the ones training predicted from,
    /// which shifts and scales the term. Identity while training.
    /// </summary>
    public (float Scale, float Shift) Calibration { get; set; } = (1f, 0f);

    /// <summary>The interaction term of the configured head: p.q (dot) or MLP([p ; q ; p*q]).</summary>
    public Tensor InteractionTerm(Tensor p, Tensor q)
    {
        if (Settings.Head != RatingHead.Dot)
        {
            return mlp_out.forward(mlp_hidden.forward(cat([p, q, p * q], 1)).relu()).squeeze(1);
        }

        var dot = dot_weight is null ? (p * q).sum(1L) : (p * q * dot_weight).sum(1L);
        return user_readout is null || item_readout is null
            ? dot
            : dot.add(user_readout.forward(p).squeeze(1), _one).add(item_readout.forward(q).squeeze(1), _one);
    }

    /// <summary>What the head adds to the interaction term: mu plus, for the dot head, the per-id biases.</summary>
    public Tensor Baseline(Tensor users, Tensor items)
    {
        using var globalMean = Settings.GlobalMean.ToScalar();
        var mu = full([users.shape[0]], globalMean, device: users.device);
        return Settings.Head == RatingHead.Dot
            ? mu.add(user_bias.forward(users).squeeze(1), _one).add(item_bias.forward(items).squeeze(1), _one)
            : mu;
    }

    /// <summary>Rating predictions (unclamped) from user and item states [B,H] with the configured head.</summary>
    public Tensor Predict(Tensor p, Tensor q, Tensor users, Tensor items)
    {
        var term = InteractionTerm(p, q);
        if (Calibration != (1f, 0f))
        {
            using var scale = Calibration.Scale.ToScalar();
            using var shift = Calibration.Shift.ToScalar();
            term = term.mul(scale).add(shift, _one);
        }

        return Baseline(users, items).add(term, _one);
    }

    /// <summary>Sets the actor readout head: term = sum_k d_k p_k q_k + w_u.p + w_i.q + c.</summary>
    public void SetReadouts(float[] d, float[] wu, float[] wi, float c)
    {
        if (dot_weight is null || user_readout is null || item_readout is null)
        {
            throw new InvalidOperationException("The model has no actor readouts.");
        }

        using (no_grad())
        {
            var device = dot_weight.device;
            dot_weight.copy_(tensor(d, device: device));
            user_readout.weight!.copy_(tensor(wu, [1, wu.Length], device: device));
            item_readout.weight!.copy_(tensor(wi, [1, wi.Length], device: device));
            user_readout.bias!.copy_(tensor(new[] { c }, device: device));
            item_readout.bias!.zero_();
        }
    }

    /// <summary>Squared norms of the per-id parameters (biases and offsets) of a batch's users and items.</summary>
    public Tensor PerIdPenalty(Tensor users, Tensor items)
    {
        var penalty = user_bias.forward(users).Squared().sum().add(item_bias.forward(items).Squared().sum(), _one);
        if (user_offset is not null && item_offset is not null)
        {
            penalty = penalty.add(user_offset.forward(users).Squared().sum(), _one).add(item_offset.forward(items).Squared().sum(), _one);
        }

        return penalty;
    }

    /// <summary>Starts the per-id biases from given values (a fitted bias model); frozen when asked.</summary>
    public void InitializeBiases(float[] users, float[] items, bool freeze)
    {
        using (no_grad())
        {
            user_bias.weight!.copy_(tensor(users, [users.Length, 1]));
            item_bias.weight!.copy_(tensor(items, [items.Length, 1]));
        }

        user_bias.weight!.requires_grad = !freeze;
        item_bias.weight!.requires_grad = !freeze;
    }

    public Tensor UserBiases => user_bias.weight!;

    public Tensor ItemBiases => item_bias.weight!;

    /// <summary>The shared weights in the layout the ONNX graphs are built from.</summary>
    public ModelWeights ExportWeights()
    {
        var weights = new ModelWeights();
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        List<string> names =
        [
            ModelWeights.AttentionWeight, ModelWeights.AttentionBias, ModelWeights.AttentionVector,
            ModelWeights.TextWeight, ModelWeights.TextBias, ModelWeights.RatingEmbedding,
            ModelWeights.FusionWeight, ModelWeights.FusionBias, ModelWeights.MlpHiddenWeight,
            ModelWeights.MlpHiddenBias, ModelWeights.MlpOutWeight, ModelWeights.MlpOutBias,
        ];
        if (user_readout is not null && item_readout is not null)
        {
            names.AddRange([
                ModelWeights.DotWeight, ModelWeights.UserReadoutWeight, ModelWeights.UserReadoutBias,
                ModelWeights.ItemReadoutWeight, ModelWeights.ItemReadoutBias]);
        }

        if (sentiment_attention is not null)
        {
            names.AddRange([
                ModelWeights.SentimentAttentionWeight, ModelWeights.SentimentAttentionBias,
                ModelWeights.SentimentAttentionVector, ModelWeights.SentimentTextWeight, ModelWeights.SentimentTextBias]);
        }

        foreach (var name in names)
        {
            weights[name] = ToWeight(parameters[name]);
        }

        foreach (var part in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" })
        {
            var user = ToWeight(parameters[$"user_cell.{part}"]);
            weights[ModelWeights.Cell("user", part)] = user;
            weights[ModelWeights.Cell("item", part)] =
                item_cell is null ? user : ToWeight(parameters[$"item_cell.{part}"]);
        }

        weights[ModelWeights.HeadCalibration] = new WeightTensor([2], [Calibration.Scale, Calibration.Shift]);
        return weights;
    }

    /// <summary>Learned initial states of actors unknown to a snapshot.</summary>
    public (float[] User, float[] Item) InitialStates() =>
        (user_initial.detach().cpu().data<float>().ToArray(), item_initial.detach().cpu().data<float>().ToArray());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _one.Dispose();
            _maskPenalty.Dispose();
        }

        base.Dispose(disposing);
    }

    internal static WeightTensor ToWeight(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return new WeightTensor(cpu.shape.Select(d => (int)d).ToArray(), cpu.data<float>().ToArray());
    }
}
