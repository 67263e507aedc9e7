using Drex.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Drex.Browser.Tests.Infrastructure;

/// <summary>
/// The real gateway (Program, Development) on a real Kestrel port of 127.0.0.1 so a browser can reach it, its Orleans
/// client pointed at a test silo; nothing replaced.
/// </summary>
public sealed class KestrelGateway : WebApplicationFactory<Program>
{
    private readonly TestSilo _silo;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private KestrelGateway(TestSilo silo, IReadOnlyDictionary<string, string>? settings)
    {
        _silo = silo;
        _settings = settings ?? new Dictionary<string, string>();
    }

    /// <summary>Where the gateway listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    public static KestrelGateway Start(TestSilo silo, IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = new KestrelGateway(silo, settings);
        gateway.UseKestrel(0);
        gateway.StartServer();
        var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        gateway.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return gateway;
    }

    /// <summary>A client of the running gateway that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        var all = new Dictionary<string, string>(_silo.ClientSettings)
        {
            ["Drex:Gateway:RateLimit:PermitsPerSecond"] = "100000",
            ["Drex:Gateway:RateLimit:Burst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in _settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            builder.UseSetting(key, value);
        }
    }
}
