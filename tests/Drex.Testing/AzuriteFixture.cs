using Xunit;

namespace Drex.Testing;

/// <summary>
/// An in-memory Azurite for a test collection. Each test project declares the collection it shares:
/// <c>[CollectionDefinition(AzuriteFixture.Collection)] public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;;</c>
/// Tests use fresh container or table names, since the server is shared.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The conventional collection name for tests that share one Azurite.</summary>
    public const string Collection = "Azurite";

    private AzuriteServer? _server;

    /// <summary>The running server.</summary>
    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>A full connection string for the running server.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A fresh name usable as a blob container or a table name: <paramref name="prefix"/> (lowercase letters) and 12 hex digits.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)];
}
