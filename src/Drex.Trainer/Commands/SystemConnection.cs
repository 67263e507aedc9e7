using System.CommandLine;
using System.Net.Http.Json;
using Drex.Model.Bundle;
using Drex.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Drex.Trainer.Commands;

/// <summary>
/// How the trainer reaches a running system: the same storage the silos use (section Drex:Storage, from
/// appsettings.json, environment variables such as Drex__Storage__Kind, or --storage-* options) and the gateway's
/// admin API for publishing.
/// </summary>
internal sealed class SystemConnection : IAsyncDisposable
{
    public static readonly Option<string?> StorageKind = new("--storage-kind") { Description = "Azure, Folder or Memory (default: Drex:Storage:Kind from configuration)." };

    public static readonly Option<string?> StoragePath = new("--storage-path") { Description = "Folder storage root (Drex:Storage:Path)." };

    public static readonly Option<string?> ConnectionString = new("--connection-string") { Description = "Azure storage connection string (Drex:Storage:ConnectionString)." };

    public static readonly Option<string> Gateway = new("--gateway") { Description = "The gateway's base address.", DefaultValueFactory = _ => "http://localhost:5000" };

    public static readonly Option<string?> ApiKey = new("--api-key") { Description = "An admin API key (default: Drex:Gateway:AdminKey, or the development key)." };

    private readonly ServiceProvider _services;
    private readonly HttpClient _http;

    private SystemConnection(ServiceProvider services, HttpClient http)
    {
        _services = services;
        _http = http;
    }

    public IBundleStore Bundles => _services.GetRequiredService<IBundleStore>();

    public IInteractionLogStore Log => _services.GetRequiredService<IInteractionLogStore>();

    public static Option[] All => [StorageKind, StoragePath, ConnectionString, Gateway, ApiKey];

    public static SystemConnection Open(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                overrides[key] = value;
            }
        }

        Set("Drex:Storage:Kind", parse.GetValue(StorageKind));
        Set("Drex:Storage:Path", parse.GetValue(StoragePath));
        Set("Drex:Storage:ConnectionString", parse.GetValue(ConnectionString));
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        var services = new ServiceCollection().AddDrexStorage(configuration).BuildServiceProvider();
        var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(Gateway)!) };
        http.DefaultRequestHeaders.Add("X-Api-Key", parse.GetValue(ApiKey) ?? configuration["Drex:Gateway:AdminKey"] ?? "dev-admin");
        return new SystemConnection(services, http);
    }

    /// <summary>The log watermark and publish time of the model the system serves, or null before the first.</summary>
    public async Task<(long Watermark, DateTimeOffset PublishedAt)?> GetActiveModelAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("api/model", ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var model = await response.Content.ReadFromJsonAsync<ActiveModel>(ct)
            ?? throw new InvalidDataException("The gateway answered GET /api/model with no body.");
        return (model.WatermarkSequence, model.PublishedAt);
    }

    /// <summary>Uploads a bundle to the system's store and asks the registry (through the gateway) to publish it.</summary>
    public async Task PublishAsync(ModelBundle bundle, CancellationToken ct)
    {
        await Bundles.UploadAsync(bundle, ct);
        using var response = await _http.PostAsJsonAsync("api/model/publish", new { version = bundle.Version }, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"Publishing {bundle.Version} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _services.DisposeAsync();
    }
}

/// <summary>What the trainer reads of GET /api/model.</summary>
internal sealed record ActiveModel(long WatermarkSequence, DateTimeOffset PublishedAt);
