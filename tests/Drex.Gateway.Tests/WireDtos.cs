namespace Drex.Gateway.Tests;

// What a client reads back: declared here, not borrowed from the gateway, so a change of the wire format fails a test.
public sealed record IngestResult(string Id, float? Prediction, string ModelVersion, bool Duplicate, long Sequence);

public sealed record Keyword(string Word, float Weight);

public sealed record ActorProfile(string Id, string ModelVersion, int Interactions, int Ratings, Keyword[] Keywords, double? PrequentialMae);

public sealed record Match(string Word, float Score, float UserWeight, float ItemWeight);

public sealed record Prediction(string UserId, string ItemId, float Rating, string ModelVersion, Match[] Explanation);

public sealed record Recommendations(string UserId, string ModelVersion, Prediction[] Items);

public sealed record Model(string Version, DateTimeOffset PublishedAt, string Head, long WatermarkSequence, long TrainedInteractions, double? ValidationMae, double? ValidationMse, bool Active);

public sealed record ActorState(string Id, string ModelVersion, float[] State, float Bias);
