using System.CommandLine;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;

namespace Drex.LoadTest;

/// <summary>
/// `table-writes`: raw Azure Table upserts per second against a storage account (Azurite), with no Orleans in the
/// way: the ceiling of grain-state writes (every acknowledged interaction writes a user and an item entity).
/// </summary>
public static class TableWritesCommand
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection-string") { Description = "Storage connection string.", Required = true };
        var duration = new Option<double>("--duration") { Description = "Seconds per concurrency level.", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int[]>("--concurrency") { Description = "Outstanding writes (closed loop), one run per value.", DefaultValueFactory = _ => [1, 16, 64], AllowMultipleArgumentsPerToken = true };
        var bytes = new Option<int>("--bytes") { Description = "Payload bytes per entity (a small actor state is ~1-2 KB).", DefaultValueFactory = _ => 1024 };
        var keys = new Option<int>("--keys") { Description = "Distinct entities written (partition keys).", DefaultValueFactory = _ => 10_000 };
        var batch = new Option<int>("--batch") { Description = "Entities per request: 1 upserts one entity; more sends an entity group transaction of that many upserts in one partition (at most 100).", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json");
        var command = new Command("table-writes", "Raw Azure Table upserts per second (Azure.Data.Tables), closed loop at fixed concurrency.")
        {
            connection, duration, concurrency, bytes, keys, batch, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var service = new TableServiceClient(parse.GetValue(connection));
            var table = service.GetTableClient($"rawwrites{DateTime.UtcNow:HHmmss}{Random.Shared.Next(1000)}");
            await table.CreateIfNotExistsAsync(ct);
            var payload = new byte[parse.GetValue(bytes)];
            Random.Shared.NextBytes(payload);
            var perRequest = parse.GetValue(batch);
            if (perRequest is < 1 or > 100)
                throw new ArgumentException("--batch must be between 1 and 100 (an entity group transaction's limit).");
            var results = new List<Dictionary<string, object?>>();
            foreach (var n in parse.GetValue(concurrency)!)
            {
                var end = Stopwatch.GetTimestamp() + (long)(parse.GetValue(duration) * Stopwatch.Frequency);
                var latencies = new List<double>[n];
                var errors = 0;
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, n).Select(async worker =>
                {
                    var mine = latencies[worker] = [];
                    var random = new Random(worker);
                    while (Stopwatch.GetTimestamp() < end)
                    {
                        var start = Stopwatch.GetTimestamp();
                        try
                        {
                            if (perRequest == 1)
                            {
                                var entity = new TableEntity($"p{random.Next(parse.GetValue(keys))}", "state") { ["Data"] = payload, ["Version"] = mine.Count };
                                await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
                            }
                            else
                            {
                                var partition = $"p{random.Next(parse.GetValue(keys) / perRequest)}";
                                var rows = new HashSet<int>();
                                while (rows.Count < perRequest)
                                    rows.Add(random.Next(perRequest * 4));
                                await table.SubmitTransactionAsync(
                                    rows.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                                        new TableEntity(partition, $"r{row}") { ["Data"] = payload, ["Version"] = mine.Count })),
                                    ct);
                            }
                            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                        catch (RequestFailedException)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                }));
                var seconds = watch.Elapsed.TotalSeconds;
                var all = latencies.SelectMany(l => l).ToList();
                var summary = LatencySummary.Of(all);
                var entities = all.Count * perRequest;
                Console.WriteLine($"table upserts, {n} outstanding, {perRequest} per request, {payload.Length} B: {entities / seconds:F0} entities/s in {all.Count / seconds:F0} requests/s, p50 {summary.P50:F1} ms, p99 {summary.P99:F1} ms, errors {errors}");
                results.Add(new()
                {
                    ["concurrency"] = n,
                    ["bytes"] = payload.Length,
                    ["entitiesPerRequest"] = perRequest,
                    ["writes"] = entities,
                    ["writesPerSecond"] = Math.Round(entities / seconds, 1),
                    ["requestsPerSecond"] = Math.Round(all.Count / seconds, 1),
                    ["latencyMs"] = summary,
                    ["errors"] = errors,
                });
            }

            await table.DeleteAsync(ct);
            Output.Write(results, parse.GetValue(json));
            return 0;
        });
        return command;
    }
}
