using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using Drex.Model.Bundle;

namespace Drex.LoadTest;

/// <summary>
/// `bundle-load`: what loading a large model costs one process, phase by phase (reading the snapshot file and hashing
/// it; mapping it, hashing the mapping and parsing it in place; the whole ModelBundle.LoadAsync; looking items up by
/// id), from a folder bundle as the folder store reads it. Run two at once to see two silos of one machine load
/// together.
/// </summary>
public static class BundleLoadCommand
{
    public static Command Create()
    {
        var directory = new Option<string>("--dir") { Description = "A bundle folder; a synthetic bundle is written there first if it holds none.", Required = true };
        var items = new Option<int>("--items") { Description = "Items of the synthetic bundle.", DefaultValueFactory = _ => 1_000_000 };
        var users = new Option<int>("--users") { Description = "Users of the synthetic bundle.", DefaultValueFactory = _ => 10_000 };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 64 };
        var repeat = new Option<int>("--repeat") { Description = "Loads to time, each after a full GC of the one before.", DefaultValueFactory = _ => 3 };
        var json = new Option<string?>("--json");
        var command = new Command("bundle-load", "Times loading a bundle from a folder: file read, SHA-256, ModelBundle.LoadAsync, item lookups by id.")
        {
            directory, items, users, hidden, repeat, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(directory)!;
            if (!File.Exists(Path.Combine(dir, BundleManifest.FileName)))
            {
                var build = Stopwatch.StartNew();
                SyntheticBundle.Create("bundle-load", 1, parse.GetValue(users), parse.GetValue(items), parse.GetValue(hidden), "syn-u", "syn-i",
                    SyntheticBundle.EncoderIdentity()).WriteTo(dir);
                Console.WriteLine($"wrote a synthetic bundle to {dir} in {build.Elapsed.TotalSeconds:F1} s");
            }

            var snapshot = Path.Combine(dir, ModelBundle.SnapshotFile);
            var results = new List<Dictionary<string, object?>>();
            for (var n = 0; n < parse.GetValue(repeat); n++)
            {
                var readMs = Time(() => Drain(snapshot, null));
                var hashMs = Time(() => Drain(snapshot, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)));
                // What LoadAsync does with the snapshot, phase by phase: map the file, hash the mapping, parse it in place.
                SnapshotBytes? mapped = null;
                var mapMs = Time(() => mapped = SnapshotBytes.Map(snapshot));
                var mappedHashMs = Time(() => mapped!.Sha256());
                var parseMs = Time(() => ActorSnapshot.Read(mapped!));
                mapped!.Dispose();
                var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var allocated = GC.GetTotalAllocatedBytes();
                var pauses = GC.GetTotalPauseDuration();
                var watch = Stopwatch.StartNew();
                var bundle = await ModelBundle.LoadAsync(dir, cancellationToken);
                var loadMs = watch.Elapsed.TotalMilliseconds;
                var gcs = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}";
                var allocatedMiB = (GC.GetTotalAllocatedBytes() - allocated) >> 20;
                var pauseMs = (GC.GetTotalPauseDuration() - pauses).TotalMilliseconds;
                var items = bundle.Snapshot.Items;
                var ids = Enumerable.Range(0, Math.Min(items.Count, 100_000)).Select(items.Id).ToArray();
                var lookupMs = Time(() => Array.ForEach(ids, id => _ = items.Find(id) >= 0 ? 0 : throw new InvalidOperationException($"{id} not found")));
                Console.WriteLine($"load {n + 1}: {bundle.Snapshot.Items.Count} items, snapshot {new FileInfo(snapshot).Length >> 20} MiB: read {readMs:F0} ms, " +
                    $"SHA-256 {hashMs:F0} ms; map {mapMs:F0} ms, SHA-256 of the mapping {mappedHashMs:F0} ms, parse {parseMs:F0} ms; LoadAsync (all of it) {loadMs:F0} ms ({allocatedMiB} MiB allocated, GCs gen0/1/2 {gcs}, " +
                    $"paused {pauseMs:F0} ms), {ids.Length} item lookups by id {lookupMs:F0} ms");
                results.Add(new()
                {
                    ["items"] = bundle.Snapshot.Items.Count,
                    ["snapshotBytes"] = new FileInfo(snapshot).Length,
                    ["readMs"] = Math.Round(readMs, 1),
                    ["sha256Ms"] = Math.Round(hashMs, 1),
                    ["mapMs"] = Math.Round(mapMs, 1),
                    ["mappedSha256Ms"] = Math.Round(mappedHashMs, 1),
                    ["parseMs"] = Math.Round(parseMs, 1),
                    ["loadMs"] = Math.Round(loadMs, 1),
                    ["loadAllocatedMiB"] = allocatedMiB,
                    ["loadGcs"] = gcs,
                    ["loadGcPauseMs"] = Math.Round(pauseMs, 1),
                    ["itemLookups"] = ids.Length,
                    ["itemLookupsMs"] = Math.Round(lookupMs, 1),
                });
                GC.KeepAlive(bundle);
                bundle = null;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }

            Output.Write(results, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Drain(string path, IncrementalHash? hash)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        for (int read; (read = file.Read(buffer)) > 0;)
        {
            hash?.AppendData(buffer, 0, read);
        }

        hash?.GetHashAndReset();
        hash?.Dispose();
    }
}
