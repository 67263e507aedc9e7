using System.CommandLine;
using System.Globalization;

namespace Drex.LoadTest;

/// <summary>`run`: the open-model load against the gateway, then the exactly-once check.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "The gateway's base address.", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var rate = new Option<double>("--rate") { Description = "Requests per second, all kinds together (fixed arrival rate).", DefaultValueFactory = _ => 100 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds (after the warm-up).", DefaultValueFactory = _ => 20 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of load before measuring (sent, not measured; its interactions count in the check).", DefaultValueFactory = _ => 5 };
        var mix = new Option<string>("--mix") { Description = "Weights of request kinds: rating, review, recommend, live (GET /health/live), noop (ingestion's path to a no-op grain pair), e.g. rating=8,review=1,recommend=1.", DefaultValueFactory = _ => "rating=1" };
        var users = new Option<int>("--users") { Description = "Distinct users (Zipf-ranked).", DefaultValueFactory = _ => 10_000 };
        var items = new Option<int>("--items") { Description = "Distinct items (Zipf-ranked).", DefaultValueFactory = _ => 1_000 };
        var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of users (0: uniform).", DefaultValueFactory = _ => 1.0 };
        var itemZipf = new Option<double?>("--item-zipf") { Description = "Zipf exponent of items (default: --zipf)." };
        var maxInFlight = new Option<int>("--max-inflight") { Description = "Most outstanding requests; a request due beyond it is dropped (an error).", DefaultValueFactory = _ => 512 };
        var runId = new Option<string?>("--run-id") { Description = "Prefix of this run's interaction ids (and, by default, of its users and items)." };
        var userPrefix = new Option<string?>("--user-prefix") { Description = "User ids are PREFIX<rank> (default RUNID-u: fresh users every run)." };
        var itemPrefix = new Option<string?>("--item-prefix") { Description = "Item ids are PREFIX<rank> (default RUNID-i)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds before a request counts as timed out.", DefaultValueFactory = _ => 10 };
        var noCheck = new Option<bool>("--no-check") { Description = "Skip the exactly-once check." };
        var checkItems = new Option<bool>("--check-items") { Description = "Also check every item's interaction count." };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 10 };
        var ingestKey = new Option<string>("--ingest-key") { DefaultValueFactory = _ => "dev-ingest" };
        var readKey = new Option<string>("--read-key") { DefaultValueFactory = _ => "dev-read" };
        var json = new Option<string?>("--json") { Description = "Also write the JSON summary to this file." };
        var label = new Option<string?>("--label") { Description = "A label recorded in the summary." };
        var timelineEvery = new Option<int>("--print-timeline") { Description = "Print every Nth second of the timeline (0: none).", DefaultValueFactory = _ => 0 };
        var command = new Command("run", "Open-model load at a fixed arrival rate; latency from the intended send time; exactly-once check at the end.")
        {
            gateway, rate, duration, warmup, mix, users, items, zipf, itemZipf, maxInFlight, runId, userPrefix, itemPrefix, seed, timeout,
            noCheck, checkItems, k, ingestKey, readKey, json, label, timelineEvery,
        };
        command.SetAction(async (parse, ct) =>
        {
            var id = parse.GetValue(runId) ?? $"lt{DateTime.UtcNow:MMddHHmmss}{Random.Shared.Next(1000):D3}";
            var settings = new LoadSettings
            {
                Gateway = new Uri(parse.GetValue(gateway)!),
                Rate = parse.GetValue(rate),
                Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
                Mix = ParseMix(parse.GetValue(mix)!),
                Users = parse.GetValue(users),
                Items = parse.GetValue(items),
                UserZipf = parse.GetValue(zipf),
                ItemZipf = parse.GetValue(itemZipf) ?? parse.GetValue(zipf),
                MaxInFlight = parse.GetValue(maxInFlight),
                RunId = id,
                UserPrefix = parse.GetValue(userPrefix) ?? $"{id}-u",
                ItemPrefix = parse.GetValue(itemPrefix) ?? $"{id}-i",
                Seed = parse.GetValue(seed),
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                Check = !parse.GetValue(noCheck),
                CheckItems = parse.GetValue(checkItems),
                IngestKey = parse.GetValue(ingestKey)!,
                ReadKey = parse.GetValue(readKey)!,
                K = parse.GetValue(k),
                CheckConcurrency = 16,
            };
            var runner = new LoadRunner(settings);
            Console.WriteLine($"run {id}: {settings.Rate}/s for {settings.Warmup.TotalSeconds}+{settings.Duration.TotalSeconds} s, mix {parse.GetValue(mix)}, " +
                $"{settings.Users} users (zipf {settings.UserZipf}, hottest {runner.UserTopShare:P1}), {settings.Items} items (zipf {settings.ItemZipf}, hottest {runner.ItemTopShare:P1}), " +
                $"max in flight {settings.MaxInFlight}");
            var summary = await runner.RunAsync(ct);
            summary["label"] = parse.GetValue(label);
            Print(summary);
            if (parse.GetValue(timelineEvery) > 0)
            {
                Console.WriteLine("second  offered  ok  errors  p50 ms  p99 ms");
                foreach (var t in ((Dictionary<string, object?>[])summary["timeline"]!).Where(t => (int)t["second"]! % parse.GetValue(timelineEvery) == 0))
                {
                    Console.WriteLine($"{t["second"],6} {t["offered"],8} {t["ok"],3} {t["errors"],7} {t["p50Ms"],7} {t["p99Ms"],7}");
                }
            }

            Output.Write(summary, parse.GetValue(json));
            return summary.TryGetValue("exactlyOnce", out var check) && check is Dictionary<string, object?> c && c["pass"] is false ? 1 : 0;
        });
        return command;
    }

    public static double[] ParseMix(string text)
    {
        var mix = new double[Enum.GetValues<RequestKind>().Length];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (!Enum.TryParse<RequestKind>(pair[0], ignoreCase: true, out var kind))
            {
                throw new ArgumentException($"Unknown request kind '{pair[0]}' in --mix (rating, review, recommend, live, noop).");
            }

            mix[(int)kind] = pair.Length == 2 ? double.Parse(pair[1], CultureInfo.InvariantCulture) : 1;
        }

        if (mix.Sum() <= 0)
        {
            throw new ArgumentException("--mix has no positive weight.");
        }

        return mix;
    }

    private static void Print(Dictionary<string, object?> summary)
    {
        Console.WriteLine($"load tool used {summary["loadToolCpuSeconds"]} CPU s over {summary["wallSeconds"]} s (schedule and drain)");
        Console.WriteLine($"{"kind",-10} {"offered/s",10} {"ok/s",9} {"errors",7} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9}  {"svc p99",8} {"lag p99",8}  errors");
        foreach (var (kind, value) in (Dictionary<string, object?>)summary["kinds"]!)
        {
            var k = (Dictionary<string, object?>)value!;
            var l = (LatencySummary)k["latencyMs"]!;
            var svc = (LatencySummary)k["serviceMs"]!;
            var lag = (LatencySummary)k["sendLagMs"]!;
            var errors = string.Join(" ", ((Dictionary<string, int>)k["errorKinds"]!).Select(e => $"{e.Key}={e.Value}"));
            Console.WriteLine($"{kind,-10} {k["offeredPerSecond"],10} {k["throughputPerSecond"],9} {k["errors"],7} {l.P50,9:F1} {l.P95,9:F1} {l.P99,9:F1} {l.Max,9:F1}  {svc.P99,8:F1} {lag.P99,8:F1}  {errors}");
        }
    }
}
