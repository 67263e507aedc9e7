using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drex.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Drex.LoadTest;

/// <summary>
/// `publish-synthetic`: builds a bundle whose snapshot holds N items (random weights, hidden 64), uploads it to the
/// system's bundle store (the Drex:Storage configuration the silos use, from environment variables or options),
/// publishes it through the gateway and measures how long until every silo serves it.
///
/// How "every silo serves it" is observed: before publishing, P probe users each get one interaction (so they are
/// activated, spread over the silos by Orleans' placement). Reading a user (GET /api/users/{id}) makes its grain
/// rebase onto the model its own silo serves at that moment and report that version; so a probe reports the new
/// version exactly when its silo has swapped. The probes are polled until each reports the new version; with
/// P probes placed independently on S silos the chance that some silo hosts none is about S(1-1/S)^P (2e-10 for 32
/// probes on 2 silos) if placement were random; it is not (see --probe-activation), so the printed flip times are
/// worth reading as clusters, one per silo. The silos also log "Serving model V" at the swap; the scripts read those log lines'
/// timestamps as a second, per-silo measurement.
/// </summary>
public static class PublishSyntheticCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var items = new Option<int>("--items") { Description = "Items in the snapshot.", DefaultValueFactory = _ => 10_000 };
        var users = new Option<int>("--users") { Description = "Users in the snapshot.", DefaultValueFactory = _ => 1_000 };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 64 };
        var version = new Option<string?>("--version") { Description = "Version name (default syn-ITEMS-TIME)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var userPrefix = new Option<string>("--user-prefix") { DefaultValueFactory = _ => "syn-u" };
        var itemPrefix = new Option<string>("--item-prefix") { DefaultValueFactory = _ => "syn-i" };
        var probes = new Option<int>("--probes") { Description = "Probe users for the propagation measurement (needs a model already active).", DefaultValueFactory = _ => 32 };
        var probeActivation = new Option<string>("--probe-activation") { Description = "get: activate each probe with a GET before its interaction; ingest: only the interaction.", DefaultValueFactory = _ => "get" };
        var pollMs = new Option<int>("--poll-ms") { DefaultValueFactory = _ => 50 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for every probe.", DefaultValueFactory = _ => 600 };
        var storageKind = new Option<string?>("--storage-kind") { Description = "Azure, Folder or Memory (default Drex:Storage:Kind from the environment)." };
        var storagePath = new Option<string?>("--storage-path");
        var connectionString = new Option<string?>("--connection-string");
        var adminKey = new Option<string>("--admin-key") { DefaultValueFactory = _ => "dev-admin" };
        var json = new Option<string?>("--json");
        var command = new Command("publish-synthetic", "Build, upload and publish a synthetic N-item bundle; time until every silo serves it.")
        {
            gateway, items, users, hidden, version, seed, userPrefix, itemPrefix, probes, probeActivation, pollMs, timeout, storageKind, storagePath, connectionString, adminKey, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var result = new Dictionary<string, object?>();
            using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(gateway)!), Timeout = TimeSpan.FromSeconds(300) };
            http.DefaultRequestHeaders.Add("X-Api-Key", parse.GetValue(adminKey));
            var name = parse.GetValue(version) ?? $"syn-{parse.GetValue(items)}-{DateTime.UtcNow:MMddHHmmss}";
            result["version"] = name;

            var old = await CurrentVersionAsync(http, ct);
            result["previousVersion"] = old;
            var probeIds = new List<string>();
            if (old is not null && parse.GetValue(probes) > 0)
            {
                for (var p = 0; p < parse.GetValue(probes); p++)
                {
                    var id = $"probe-{name}-{p}";
                    if (parse.GetValue(probeActivation) == "get")
                    {
                        // Activate the probe with a read straight from the gateway's client: a grain first called from
                        // a grain (the ingest path) tends to be placed on the caller's silo, so probes made only by
                        // ingesting can all land on one silo.
                        using var read = await http.GetAsync($"/api/users/{id}", ct);
                    }

                    using var response = await http.PostAsJsonAsync("/api/interactions",
                        new { id = $"{id}-x", userId = id, itemId = $"probe-item-{p}", rating = 4 }, ct);
                    response.EnsureSuccessStatusCode();
                    probeIds.Add(id);
                }

                Console.WriteLine($"{probeIds.Count} probe users created under {old}");
            }

            var watch = Stopwatch.StartNew();
            Drex.Model.Bundle.ModelBundle? bundle = SyntheticBundle.Create(name, parse.GetValue(seed), parse.GetValue(users), parse.GetValue(items), parse.GetValue(hidden),
                parse.GetValue(userPrefix)!, parse.GetValue(itemPrefix)!, SyntheticBundle.EncoderIdentity());
            result["buildSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2);
            result["snapshotBytes"] = bundle.Manifest.Files[Drex.Model.Bundle.ModelBundle.SnapshotFile].Bytes;
            result["items"] = parse.GetValue(items);
            result["users"] = parse.GetValue(users);
            result["hidden"] = parse.GetValue(hidden);
            Console.WriteLine($"built {name}: {parse.GetValue(items)} items, {parse.GetValue(users)} users, hidden {parse.GetValue(hidden)}, snapshot {(long)result["snapshotBytes"]! / 1e6:F1} MB in {result["buildSeconds"]} s");

            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(storageKind) is { } kind) overrides["Drex:Storage:Kind"] = kind;
            if (parse.GetValue(storagePath) is { } path) overrides["Drex:Storage:Path"] = path;
            if (parse.GetValue(connectionString) is { } cs) overrides["Drex:Storage:ConnectionString"] = cs;
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
            await using (var services = new ServiceCollection().AddDrexStorage(configuration).BuildServiceProvider())
            {
                watch.Restart();
                await services.GetRequiredService<IBundleStore>().UploadAsync(bundle, ct);
                result["uploadSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2);
            }

            bundle = null;
            GC.Collect();
            Console.WriteLine($"uploaded in {result["uploadSeconds"]} s");

            var start = DateTimeOffset.UtcNow;
            result["publishStartUtc"] = start.ToString("O");
            watch.Restart();
            using (var response = await http.PostAsJsonAsync("/api/model/publish", new { version = name }, ct))
            {
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"publish failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    return 1;
                }
            }

            result["publishCallSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3);
            Console.WriteLine($"publish call returned after {result["publishCallSeconds"]} s (registry validated the bundle and made it active)");

            // Poll the probes until each reports the new version.
            var flipped = new ConcurrentDictionary<string, double>();
            var deadline = TimeSpan.FromSeconds(parse.GetValue(timeout));
            while (flipped.Count < probeIds.Count && watch.Elapsed < deadline)
            {
                await Parallel.ForEachAsync(probeIds.Where(p => !flipped.ContainsKey(p)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (probe, token) =>
                {
                    try
                    {
                        using var response = await http.GetAsync($"/api/users/{probe}", token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(token));
                            if (doc.RootElement.GetProperty("modelVersion").GetString() == name)
                            {
                                flipped[probe] = watch.Elapsed.TotalSeconds;
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }
                });
                await Task.Delay(parse.GetValue(pollMs), ct);
            }

            if (probeIds.Count > 0)
            {
                var times = flipped.Values.Order().ToArray();
                result["probes"] = probeIds.Count;
                result["probesConverged"] = times.Length;
                result["allProbesSeconds"] = times.Length == probeIds.Count ? Math.Round(times[^1], 3) : null;
                result["probeFlipSeconds"] = times.Select(t => Math.Round(t, 3)).ToArray();
                Console.WriteLine(times.Length == probeIds.Count
                    ? $"every probe served {name} {times[^1]:F2} s after the publish call started (first {times[0]:F2} s, median {times[times.Length / 2]:F2} s)"
                    : $"only {times.Length} of {probeIds.Count} probes reached {name} within {deadline.TotalSeconds} s");
                Console.WriteLine($"probe flip times (s): {string.Join(" ", times.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
            }

            // The first recommendation under the new model reloads every item-index partition from the snapshot.
            foreach (var label in new[] { "firstRecommendMs", "secondRecommendMs" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{parse.GetValue(userPrefix)}0/recommendations?k=10");
                watch.Restart();
                using var response = await http.SendAsync(request, ct);
                result[label] = Math.Round(watch.Elapsed.TotalMilliseconds, 1);
                var body = await response.Content.ReadAsStringAsync(ct);
                Console.WriteLine($"{label}: {(int)response.StatusCode} in {result[label]} ms{(response.IsSuccessStatusCode ? "" : " " + body[..Math.Min(300, body.Length)])}");
            }

            Output.Write(result, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static async Task<string?> CurrentVersionAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/model", ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        return doc.RootElement.GetProperty("version").GetString();
    }
}
