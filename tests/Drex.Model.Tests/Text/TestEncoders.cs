using Drex.Model.Text;

namespace Drex.Model.Tests.Text;

/// <summary>Splits on spaces and gives each piece a vector derived from its text and position: fast and deterministic.</summary>
internal sealed class FakeEncoder : IReviewEncoder
{
    public string Identity => "fake/1";

    public IReadOnlyList<EncodedText> Encode(
        IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = texts.Select(Encode).ToArray();
        progress?.Report(texts.Count);
        return results;
    }

    private static EncodedText Encode(string text)
    {
        var pieces = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var vectors = new float[pieces.Length * ReviewEncoder.Dimension];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = MathF.Sin((i * 0.37f) + pieces[i / ReviewEncoder.Dimension].Length) * 3;
        }

        return new EncodedText(pieces, vectors);
    }
}

/// <summary>Counts the calls and texts that reach the wrapped encoder.</summary>
internal sealed class CountingEncoder(IReviewEncoder inner) : IReviewEncoder
{
    public int Calls { get; private set; }

    public int Texts => Seen.Count;

    public List<string> Seen { get; } = [];

    public string Identity => inner.Identity;

    public IReadOnlyList<EncodedText> Encode(
        IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        Seen.AddRange(texts);
        return inner.Encode(texts, progress, cancellationToken);
    }
}
