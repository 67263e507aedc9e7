using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Drex.Trainer.Evaluation;

/// <summary>Aggregates per-seed results into the evaluate command's JSON and table.</summary>
internal static class EvaluationReport
{
    private static readonly string[] Ks = ["5", "10", "20"];

    public static JsonObject ToJson(
        string dataset, string split, IReadOnlyList<int> seeds, Dictionary<string, List<SeedResult>> results,
        JsonObject settings, JsonObject timings)
    {
        var models = new JsonObject();
        foreach (var (name, runs) in results)
        {
            var model = new JsonObject();
            foreach (var (metric, values) in Metrics(runs))
            {
                model[metric] = Mean(values);
                if (metric is "mae" or "rmse" or "mse")
                {
                    model[$"{metric}_std"] = Std(values);
                }
            }

            model["ndcg@10_std"] = Std(Metrics(runs)["ndcg@10"]);
            model["ranked_users"] = runs[0].Ranking.RankedUsers;
            model["skipped_users"] = runs[0].Ranking.SkippedUsers;
            model["fit_seconds"] = Mean(runs.Select(r => r.FitTime.TotalSeconds).ToList());
            var perSeed = new JsonObject();
            foreach (var run in runs)
            {
                var one = new JsonObject();
                foreach (var (metric, values) in Metrics([run]))
                {
                    one[metric] = values[0];
                }

                one["ranked_users"] = run.Ranking.RankedUsers;
                one["test_count"] = run.Rating.Count;
                one["fit_seconds"] = run.FitTime.TotalSeconds;
                perSeed[run.Seed.ToString()] = one;
            }

            model["per_seed"] = perSeed;
            models[name] = model;
        }

        return new JsonObject
        {
            ["dataset"] = dataset,
            ["split"] = split,
            ["seeds"] = new JsonArray(seeds.Select(s => (JsonNode)s).ToArray()),
            ["models"] = models,
            ["settings"] = settings,
            ["timings"] = timings,
        };
    }

    public static void Print(Dictionary<string, List<SeedResult>> results)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("model", "MAE", "RMSE", "MSE ± std", "NDCG@5", "NDCG@10", "NDCG@20", "F1@5", "F1@10", "F1@20", "fit s");
        foreach (var (name, runs) in results)
        {
            var m = Metrics(runs);
            table.AddRow(
                name, F(Mean(m["mae"])), F(Mean(m["rmse"])), $"{F(Mean(m["mse"]))} ± {F(Std(m["mse"]))}",
                F(Mean(m["ndcg@5"])), F(Mean(m["ndcg@10"])), F(Mean(m["ndcg@20"])),
                F(Mean(m["f1@5"])), F(Mean(m["f1@10"])), F(Mean(m["f1@20"])),
                Mean(runs.Select(r => r.FitTime.TotalSeconds).ToList()).ToString("0.0"));
        }

        AnsiConsole.Write(table);
        var ranked = results.Values.First()[0].Ranking;
        AnsiConsole.MarkupLine($"Ranking: {ranked.RankedUsers} users ranked, {ranked.SkippedUsers} left out (no relevant test item).");
    }

    public static void Write(string path, JsonObject report) =>
        File.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static Dictionary<string, List<double>> Metrics(IReadOnlyList<SeedResult> runs)
    {
        var m = new Dictionary<string, List<double>>
        {
            ["mae"] = runs.Select(r => r.Rating.Mae).ToList(),
            ["rmse"] = runs.Select(r => r.Rating.Rmse).ToList(),
            ["mse"] = runs.Select(r => r.Rating.Mse).ToList(),
        };
        foreach (var k in Ks)
        {
            m[$"ndcg@{k}"] = runs.Select(r => r.Ranking.At(int.Parse(k)).Ndcg).ToList();
        }

        foreach (var k in Ks)
        {
            m[$"f1@{k}"] = runs.Select(r => r.Ranking.At(int.Parse(k)).F1).ToList();
        }

        return m;
    }

    private static double Mean(IReadOnlyList<double> v) => v.Count == 0 ? double.NaN : v.Average();

    /// <summary>Sample standard deviation (0 for one seed).</summary>
    private static double Std(IReadOnlyList<double> v)
    {
        if (v.Count < 2)
        {
            return 0;
        }

        var mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }

    private static string F(double x) => x.ToString("0.0000");
}
