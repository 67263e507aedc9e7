using Drex.Model.Text;

namespace Drex.Model.Tests.Text;

/// <summary>Loads the 90 MB model once for every test that needs it.</summary>
public sealed class EncoderFixture : IDisposable
{
    public ReviewEncoder Encoder { get; } = ReviewEncoder.LoadEmbedded();

    public void Dispose() => Encoder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EncoderCollection : ICollectionFixture<EncoderFixture>
{
    public const string Name = "Review encoder";
}
