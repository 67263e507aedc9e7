using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Drex.Model.Bundle;
using Drex.Model.Data;
using Drex.Trainer.Data;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>
/// `replay`: streams a dataset (or an interaction log) through the gateway's batch endpoint, in time order.
/// With --check it replays the training interactions a `train --holdout` run wrote and checks that the system's
/// predictions on the held-out test interactions equal the trainer's offline ones (online equals offline).
/// </summary>
internal static class ReplayCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var check = new Option<string?>("--check") { Description = "An offline reference folder (<bundle>.offline) from train --holdout: replay its train.jsonl, then compare test predictions." };
        var batch = new Option<int>("--batch") { Description = "Interactions per request (1..1000).", DefaultValueFactory = _ => 100 };
        var maxReview = new Option<int>("--max-review")
        {
            Description = "Longer reviews are cut to this many characters (the gateway's limit; the encoder reads only the first 128 word pieces anyway).",
            DefaultValueFactory = _ => 20_000,
        };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest allowed difference of the online test MAE from the offline one.", DefaultValueFactory = _ => 0.001 };
        var command = new Command("replay", "Replay interactions through the gateway; optionally check online equals offline.")
        {
            CommonOptions.OptionalData, check, batch, maxReview, tolerance, SystemConnection.Gateway, SystemConnection.ApiKey,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(CommonOptions.OptionalData) is null) == (r.GetValue(check) is null))
            {
                r.AddError("Give exactly one of --data PATH and --check FOLDER.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(SystemConnection.Gateway)!), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Add("X-Api-Key", parse.GetValue(SystemConnection.ApiKey) ?? "dev-admin");
            var folder = parse.GetValue(check);
            var interactions = folder is null
                ? CommonOptions.LoadDataset(parse.GetValue(CommonOptions.OptionalData)!, 0).Interactions.Select((x, k) => x with { Id = x.Id ?? $"x{k}" }).ToList()
                : InteractionLogReader.ReadFile(Path.Combine(folder, "train.jsonl")).Select(r => r.Interaction).ToList();
            var limit = parse.GetValue(maxReview);
            interactions = interactions.Select(x => x.Review is { } r && r.Length > limit
                ? x with { Review = r[..(char.IsHighSurrogate(r[limit - 1]) ? limit - 1 : limit)] }
                : x).ToList();
            await ReplayAsync(http, interactions, Math.Clamp(parse.GetValue(batch), 1, 1000), ct);
            return folder is null ? 0 : await CheckAsync(http, folder, parse.GetValue(tolerance), ct);
        });
        return command;
    }

    private static async Task ReplayAsync(HttpClient http, List<Interaction> interactions, int batchSize, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        double absoluteError = 0;
        var rated = 0;
        await AnsiConsole.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask("Replaying", maxValue: interactions.Count);
            foreach (var chunk in interactions.Chunk(batchSize))
            {
                var body = chunk.Select(x => new { id = x.Id, userId = x.UserId, itemId = x.ItemId, rating = x.Rating, review = x.Review, timestamp = x.Timestamp });
                // Interaction ids make a retried batch safe: what was applied comes back as a duplicate.
                using var response = await PostWithRetriesAsync(http, body, ct);
                var results = await response.Content.ReadFromJsonAsync<JsonElement[]>(Json, ct) ?? [];
                for (var k = 0; k < chunk.Length; k++)
                {
                    if (chunk[k].Rating is { } r && results[k].GetProperty("prediction").ValueKind == JsonValueKind.Number)
                    {
                        absoluteError += Math.Abs(results[k].GetProperty("prediction").GetDouble() - r);
                        rated++;
                    }
                }

                task.Increment(chunk.Length);
            }
        });
        AnsiConsole.MarkupLineInterpolated(
            $"Replayed {interactions.Count} interactions in {watch.Elapsed.TotalSeconds:0.0} s ({interactions.Count / watch.Elapsed.TotalSeconds:0} /s); prequential MAE {(rated == 0 ? double.NaN : absoluteError / rated):0.0000}");
    }

    private static async Task<HttpResponseMessage> PostWithRetriesAsync(HttpClient http, object body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await http.PostAsJsonAsync("api/interactions/batch", body, ct);
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                var transient = response.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.TooManyRequests;
                if (!transient || attempt >= MaxAttempts)
                {
                    throw new InvalidOperationException($"The gateway refused a batch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
            }

            response?.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), ct);
        }
    }

    private const int MaxAttempts = 8;

    private static async Task<int> CheckAsync(HttpClient http, string folder, double tolerance, CancellationToken ct)
    {
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "expected.json"), ct));
        var tests = InteractionLogReader.ReadFile(Path.Combine(folder, "test.jsonl")).ToDictionary(r => r.Interaction.Id!, r => r.Interaction);
        double online = 0, worst = 0;
        var n = 0;
        foreach (var p in expected.RootElement.GetProperty("predictions").EnumerateArray())
        {
            var x = tests[p.GetProperty("id").GetString()!];
            var answer = await http.GetFromJsonAsync<JsonElement>(
                $"api/users/{Uri.EscapeDataString(x.UserId)}/predictions/{Uri.EscapeDataString(x.ItemId)}", Json, ct);
            var prediction = answer.GetProperty("rating").GetDouble();
            online += Math.Abs(prediction - x.Rating!.Value);
            worst = Math.Max(worst, Math.Abs(prediction - p.GetProperty("prediction").GetDouble()));
            n++;
        }

        // The actors' states themselves: every user and item of the offline snapshot against the live system's.
        var offline = ActorSnapshot.Read(await File.ReadAllBytesAsync(Path.Combine(folder, "states.bin"), ct));

        double worstState = 0;
        foreach (var (kind, actors) in new[] { ("users", offline.Users), ("items", offline.Items) })
        {
            foreach (var actor in actors)
            {
                var live = await http.GetFromJsonAsync<JsonElement>($"api/{kind}/{Uri.EscapeDataString(actor.Id)}/state", Json, ct);
                var state = live.GetProperty("state").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                worstState = Math.Max(worstState, actor.State.Zip(state, (a, b) => (double)Math.Abs(a - b)).Max());
            }
        }

        var statesOk = worstState <= 1e-4;
        AnsiConsole.Markup(statesOk ? "[green]PASS[/]" : "[red]FAIL[/]");
        AnsiConsole.MarkupLineInterpolated(
            $": states of {offline.Users.Count} users and {offline.Items.Count} items equal the trainer's within {worstState:0.0e0} (<= 1e-4)");

        var offlineMae = expected.RootElement.GetProperty("testMae").GetDouble();
        var onlineMae = online / Math.Max(1, n);
        var ok = Math.Abs(onlineMae - offlineMae) <= tolerance;
        AnsiConsole.Markup(ok ? "[green]PASS[/]" : "[red]FAIL[/]");
        AnsiConsole.MarkupLineInterpolated(
            $": test MAE online {onlineMae:0.000000} vs offline {offlineMae:0.000000} (|diff| {Math.Abs(onlineMae - offlineMae):0.000000} <= {tolerance}); largest per-prediction difference {worst:0.000000} over {n} test interactions");
        return ok && statesOk ? 0 : 1;
    }
}
