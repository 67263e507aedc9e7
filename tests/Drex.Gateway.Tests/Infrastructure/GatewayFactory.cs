using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Drex.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (Program) in Development, its Orleans client pointed at a test silo; nothing replaced.</summary>
public sealed class GatewayFactory(TestSilo silo, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string IngestKey = "dev-ingest";
    public const string ReadKey = "dev-read";
    public const string AdminKey = "dev-admin";

    public GrainCallRecorder Recorder { get; } = new();

    /// <summary>A client that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");

        // Settings, not app configuration: Program reads the Orleans section while it builds the host.
        var all = new Dictionary<string, string>(silo.ClientSettings)
        {
            ["Drex:Gateway:RateLimit:PermitsPerSecond"] = "100000",
            ["Drex:Gateway:RateLimit:Burst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IOutgoingGrainCallFilter>(Recorder));
    }
}
