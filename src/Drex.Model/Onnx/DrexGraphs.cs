using Drex.Model.Bundle;
using Onnx;

namespace Drex.Model.Onnx;

/// <summary>
/// Builds the ONNX graphs of a DReX model from its weights. The graphs compute exactly what the trainer's
/// TorchSharp module computes (PyTorch GRUCell semantics, additive attention with a masked softmax).
/// </summary>
public static class DrexGraphs
{
    public const string InteractionEncoderFile = "interaction_encoder.onnx";
    public const string UserCellFile = "user_cell.onnx";
    public const string ItemCellFile = "item_cell.onnx";
    public const string DotHeadFile = "head_dot.onnx";
    public const string MlpHeadFile = "head_mlp.onnx";

    /// <summary>Input and output names shared by the builder and the runtime.</summary>
    public static class Names
    {
        public const string Tokens = "tokens";
        public const string TokenMask = "token_mask";
        public const string RatingLevel = "rating_level";
        public const string HasRating = "has_rating";
        public const string HasReview = "has_review";
        public const string Feature = "feature";
        public const string Attention = "attention";
        public const string Input = "input";
        public const string State = "state";
        public const string NewState = "new_state";
        public const string User = "user";
        public const string Item = "item";
        public const string UserBias = "user_bias";
        public const string ItemBias = "item_bias";
        public const string Rating = "rating";
    }

    /// <summary>Every graph of a bundle by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Build(ModelSettings settings, ModelWeights weights) =>
        new Dictionary<string, byte[]>
        {
            [InteractionEncoderFile] = InteractionEncoder(settings, weights),
            [UserCellFile] = Cell(settings, weights, "user"),
            [ItemCellFile] = Cell(settings, weights, settings.SharedCells ? "user" : "item"),
            [DotHeadFile] = DotHead(settings, weights),
            [MlpHeadFile] = MlpHead(settings, weights),
        };

    /// <summary>
    /// (tokens [B,L,D], token_mask [B,L], rating_level [B], has_rating [B,1], has_review [B,1]) ->
    /// (feature [B,F], attention [B,L]). The attention is the keyword attention; with
    /// <see cref="ModelSettings.SentimentAttention"/> a second attention's feature t_s is fused after t_d.
    /// </summary>
    public static byte[] InteractionEncoder(ModelSettings s, ModelWeights w)
    {
        var g = new GraphBuilder("drex_interaction_encoder");
        var f = TensorProto.Types.DataType.Float;
        var tokens = g.Input(Names.Tokens, f, "batch", "length", s.TextDim);
        var mask = g.Input(Names.TokenMask, f, "batch", "length");
        var level = g.Input(Names.RatingLevel, TensorProto.Types.DataType.Int64, "batch");
        var hasRating = g.Input(Names.HasRating, f, "batch", 1);
        var hasReview = g.Input(Names.HasReview, f, "batch", 1);

        var (alpha, text) = AttentionPool(g, tokens, mask, w, ModelWeights.AttentionWeight, ModelWeights.AttentionBias,
            ModelWeights.AttentionVector, ModelWeights.TextWeight, ModelWeights.TextBias);
        var texts = new List<string> { g.Mul(text, hasReview) };
        if (s.SentimentAttention)
        {
            var (_, sentiment) = AttentionPool(g, tokens, mask, w, ModelWeights.SentimentAttentionWeight,
                ModelWeights.SentimentAttentionBias, ModelWeights.SentimentAttentionVector, ModelWeights.SentimentTextWeight,
                ModelWeights.SentimentTextBias);
            texts.Add(g.Mul(sentiment, hasReview));
        }

        var e = w[ModelWeights.RatingEmbedding];
        var rating = g.Node("Gather", [g.Constant(e.Data, e.Rows, e.Columns), level], null,
            GraphBuilder.IntAttribute("axis", 0));
        var fused = g.Node("Concat", [g.Mul(rating, hasRating), .. texts, hasRating, hasReview], null,
            GraphBuilder.IntAttribute("axis", 1));
        var feature = g.Relu(g.Linear(fused, w[ModelWeights.FusionWeight], w[ModelWeights.FusionBias]));

        g.Output(feature, Names.Feature, "batch", s.FusionDim);
        g.Output(alpha, Names.Attention, "batch", "length");
        return g.ToModelBytes();
    }

    /// <summary>
    /// Additive attention over tokens [B,L,D] with a masked softmax and the projected pooled vector:
    /// alpha = softmax(w^T tanh(W h_l + b) + (mask - 1) * penalty), feature = ReLU(W_t (sum_l alpha_l h_l) + b_t).
    /// </summary>
    private static (string Alpha, string Feature) AttentionPool(GraphBuilder g, string tokens, string mask, ModelWeights w,
        string weight, string bias, string vector, string textWeight, string textBias)
    {
        var hidden = g.Tanh(g.Linear(tokens, w[weight], w[bias]));
        var v = w[vector];
        var scores = g.Node("Squeeze", [g.MatMul(hidden, g.Constant(v.Data, v.Data.Length, 1)), g.Int64s(2)]);
        var masked = g.Add(scores, g.Mul(g.Sub(mask, g.Scalar(1f)), g.Scalar(MaskPenalty)));
        var alpha = g.Node("Softmax", [masked], null, GraphBuilder.IntAttribute("axis", -1));
        var pooled = g.Node("Squeeze", [g.MatMul(g.Node("Unsqueeze", [alpha, g.Int64s(1)]), tokens), g.Int64s(1)]);
        return (alpha, g.Relu(g.Linear(pooled, w[textWeight], w[textBias])));
    }

    /// <summary>(input [B,F], state [B,H]) -> new_state [B,H], PyTorch GRUCell gate order r, z, n.</summary>
    public static byte[] Cell(ModelSettings s, ModelWeights w, string side)
    {
        var g = new GraphBuilder($"drex_{side}_cell");
        var f = TensorProto.Types.DataType.Float;
        var x = g.Input(Names.Input, f, "batch", s.FusionDim);
        var h = g.Input(Names.State, f, "batch", s.HiddenDim);
        var n = s.HiddenDim;

        var gi = g.Linear(x, w[ModelWeights.Cell(side, "weight_ih")], w[ModelWeights.Cell(side, "bias_ih")]);
        var gh = g.Linear(h, w[ModelWeights.Cell(side, "weight_hh")], w[ModelWeights.Cell(side, "bias_hh")]);
        var r = g.Sigmoid(g.Add(g.SliceColumns(gi, 0, n), g.SliceColumns(gh, 0, n)));
        var z = g.Sigmoid(g.Add(g.SliceColumns(gi, n, 2 * n), g.SliceColumns(gh, n, 2 * n)));
        var candidate = g.Tanh(g.Add(g.SliceColumns(gi, 2 * n, 3 * n), g.Mul(r, g.SliceColumns(gh, 2 * n, 3 * n))));
        // (1 - z) * n + z * h, written as PyTorch's kernel computes it.
        var next = g.Add(g.Mul(g.Sub(g.Scalar(1f), z), candidate), g.Mul(z, h));

        g.Output(next, Names.NewState, "batch", s.HiddenDim);
        return g.ToModelBytes();
    }

    /// <summary>
    /// (user [B,H], item [B,H], user_bias [B,1], item_bias [B,1]) -> rating [B,1] = a t + c + b_u + b_i + mu with
    /// t = p.q, plus w_u.p + c_u + w_i.q + c_i when the settings ask for actor readouts.
    /// </summary>
    public static byte[] DotHead(ModelSettings s, ModelWeights w)
    {
        var g = new GraphBuilder("drex_head_dot");
        var f = TensorProto.Types.DataType.Float;
        var p = g.Input(Names.User, f, "batch", s.HiddenDim);
        var q = g.Input(Names.Item, f, "batch", s.HiddenDim);
        var bu = g.Input(Names.UserBias, f, "batch", 1);
        var bi = g.Input(Names.ItemBias, f, "batch", 1);
        var pq = g.Mul(p, q);
        if (s.ActorReadouts)
        {
            var d = w[ModelWeights.DotWeight];
            pq = g.Mul(pq, g.Constant(d.Data, d.Data.Length));
        }

        var dot = g.Node("ReduceSum", [pq, g.Int64s(1)], null, GraphBuilder.IntAttribute("keepdims", 1));
        if (s.ActorReadouts)
        {
            // p.q + (w_u.p + c_u) + (w_i.q + c_i), summed in the trainer's order.
            dot = g.Add(
                g.Add(dot, g.Linear(p, w[ModelWeights.UserReadoutWeight], w[ModelWeights.UserReadoutBias])),
                g.Linear(q, w[ModelWeights.ItemReadoutWeight], w[ModelWeights.ItemReadoutBias]));
        }

        var rating = g.Add(g.Add(g.Add(Calibrated(g, w, dot), bu), bi), g.Scalar(s.GlobalMean));
        g.Output(rating, Names.Rating, "batch", 1);
        return g.ToModelBytes();
    }

    /// <summary>(user [B,H], item [B,H]) -> rating [B,1] = a MLP([p ; q ; p*q]) + c + mu.</summary>
    public static byte[] MlpHead(ModelSettings s, ModelWeights w)
    {
        var g = new GraphBuilder("drex_head_mlp");
        var f = TensorProto.Types.DataType.Float;
        var p = g.Input(Names.User, f, "batch", s.HiddenDim);
        var q = g.Input(Names.Item, f, "batch", s.HiddenDim);
        var joint = g.Node("Concat", [p, q, g.Mul(p, q)], null, GraphBuilder.IntAttribute("axis", 1));
        var hidden = g.Relu(g.Linear(joint, w[ModelWeights.MlpHiddenWeight], w[ModelWeights.MlpHiddenBias]));
        var term = g.Linear(hidden, w[ModelWeights.MlpOutWeight], w[ModelWeights.MlpOutBias]);
        var rating = g.Add(Calibrated(g, w, term), g.Scalar(s.GlobalMean));
        g.Output(rating, Names.Rating, "batch", 1);
        return g.ToModelBytes();
    }

    private static string Calibrated(GraphBuilder g, ModelWeights w, string term)
    {
        var c = w[ModelWeights.HeadCalibration].Data;
        return g.Add(g.Mul(term, g.Scalar(c[0])), g.Scalar(c[1]));
    }

    /// <summary>Added to the attention score of padding tokens; the trainer uses the same constant.</summary>
    public const float MaskPenalty = 1e9f;
}
