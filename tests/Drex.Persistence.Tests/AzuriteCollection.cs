using Drex.Testing;

namespace Drex.Persistence.Tests;

/// <summary>The tests that share one in-memory Azurite.</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
