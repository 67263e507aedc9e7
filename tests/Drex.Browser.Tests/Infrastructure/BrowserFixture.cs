using System.Net.Http.Json;
using Drex.Gateway.Tests.Infrastructure;
using Drex.Grains.Tests;

namespace Drex.Browser.Tests.Infrastructure;

/// <summary>
/// One test silo with model v1 published (six catalog items), reviews from two other users so the items have keyword
/// profiles, the gateway on a real port, and one headless Chromium (started on first use), shared by the collection.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ModelVersion = "v1";

    public static readonly string[] Catalog = ["catalog-1", "catalog-2", "catalog-3", "catalog-4", "catalog-5", "catalog-6"];

    /// <summary>What other people wrote: guitar words on three items, other instruments on the rest.</summary>
    private static readonly (string User, string Item, double Rating, string Review)[] Seed =
    [
        ("seed-alice", "catalog-1", 5, "Bright guitar strings with a smooth tremolo and no cable noise."),
        ("seed-alice", "catalog-2", 4, "The guitar strings stay in tune and the tremolo arm feels smooth."),
        ("seed-alice", "catalog-3", 4, "Warm humbucker tone; these guitar strings feel great under the fingers."),
        ("seed-bob", "catalog-4", 3, "The cymbal sounds crisp and the snare is punchy."),
        ("seed-bob", "catalog-5", 5, "A studio microphone with a quiet preamp and a warm tone."),
        ("seed-bob", "catalog-6", 2, "The synthesizer keybed feels cheap but the arpeggiator is fun."),
    ];

    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private Chromium? _browser;

    public TestSilo Silo { get; private set; } = null!;

    public KestrelGateway Gateway { get; private set; } = null!;

    /// <summary>Where the test's screenshots go: <c>screenshots/</c> under the test output folder.</summary>
    public static string ScreenshotPath(string name) => Path.Combine(AppContext.BaseDirectory, "screenshots", name);

    public async Task InitializeAsync()
    {
        Silo = await TestSilo.StartAsync();
        await Silo.PublishAsync(TestBundles.Create(ModelVersion, seed: 1, items: Catalog));
        Gateway = KestrelGateway.Start(Silo);
        using var client = Gateway.Client("dev-ingest");
        foreach (var (user, item, rating, review) in Seed)
        {
            using var response = await client.PostAsJsonAsync("api/interactions", new { userId = user, itemId = item, rating, review });
            Assert.True(response.IsSuccessStatusCode, $"Seeding failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The shared headless Chromium, started on first use (a missing Chromium fails here, with the install hint).</summary>
    public async Task<Chromium> BrowserAsync()
    {
        await _browserLock.WaitAsync();
        try
        {
            return _browser ??= await Chromium.LaunchAsync();
        }
        finally
        {
            _browserLock.Release();
        }
    }

    /// <summary>A new tab of the shared browser.</summary>
    public async Task<BrowserPage> NewPageAsync() => await (await BrowserAsync()).NewPageAsync();

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        await Gateway.DisposeAsync();
        await Silo.DisposeAsync();
        _browserLock.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
