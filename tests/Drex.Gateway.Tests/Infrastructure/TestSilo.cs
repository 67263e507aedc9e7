using System.Net;
using System.Net.Sockets;
using Drex.Contracts;
using Drex.Grains;
using Drex.Grains.Services;
using Drex.Model.Bundle;
using Drex.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drex.Gateway.Tests.Infrastructure;

/// <summary>
/// A real silo with the Drex grains in this process (grain state, bundles and interaction log in memory),
/// listening on free localhost ports; the gateway reaches it through its own configured Orleans client over TCP.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    public const string ClusterId = "drex-gateway-tests";
    public const string ServiceId = "drex-gateway-tests";

    private readonly IHost _host;

    private TestSilo(IHost host, int gatewayPort)
    {
        _host = host;
        GatewayPort = gatewayPort;
    }

    /// <summary>The port the gateway's client connects to.</summary>
    public int GatewayPort { get; }

    /// <summary>Direct grain access for arranging and for checking what a request changed (not seen by the gateway).</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Settings that point a gateway at this silo.</summary>
    public IReadOnlyDictionary<string, string> ClientSettings => new Dictionary<string, string>
    {
        ["Orleans:Clustering"] = "Localhost",
        ["Orleans:GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:ServiceId"] = ServiceId,
    };

    public static async Task<TestSilo> StartAsync()
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Drex:Storage:Kind"] = "Memory",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: ServiceId, clusterId: ClusterId)
            .AddDrexMemoryGrainStorage(GrainStorage.Name)
            .AddDrexMemoryGrainStorage(GrainStorage.Actors)
            .AddDrexGrains(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host, gatewayPort);
    }

    /// <summary>Puts a bundle in the model store (what the trainer does before publishing).</summary>
    public Task UploadAsync(ModelBundle bundle) => _host.Services.GetRequiredService<IBundleStore>().UploadAsync(bundle);

    /// <summary>Uploads and publishes a bundle, then waits for the silo's swap signal (no polling).</summary>
    public async Task PublishAsync(ModelBundle bundle)
    {
        await UploadAsync(bundle);
        var swapped = WaitForVersionAsync(bundle.Version);
        await Grains.GetGrain<IModelRegistryGrain>(DrexKeys.Registry).PublishAsync(bundle.Version);
        await swapped.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Completes when this silo serves <paramref name="version"/>.</summary>
    public Task WaitForVersionAsync(string version)
    {
        var models = _host.Services.GetRequiredService<ModelHost>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        models.Swapped += model =>
        {
            if (model.Version == version)
            {
                done.TrySetResult();
            }
        };
        if (models.Current?.Version == version)
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
