using System.CommandLine;
using System.Diagnostics;
using Drex.Model.Text;

namespace Drex.LoadTest;

/// <summary>`encoder`: the raw review encoder's throughput (all-MiniLM-L6-v2 on ONNX Runtime), the ceiling of review ingestion.</summary>
public static class EncoderCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Reviews to encode (generated like the load's reviews).", DefaultValueFactory = _ => 2048 };
        var batch = new Option<int[]>("--batch") { Description = "ONNX batch sizes to measure (the silo's encoder service runs 16: ReviewEncoderOptions' default).", DefaultValueFactory = _ => [32], AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads (default: every core, as the silo)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json");
        var command = new Command("encoder", "Encodes N generated reviews in batches and reports reviews per second.") { count, batch, threads, seed, json };
        command.SetAction(parse =>
        {
            var random = new Random(parse.GetValue(seed));
            var texts = Enumerable.Range(0, parse.GetValue(count)).Select(_ => LoadRunner.Review(random)).ToArray();
            var results = new List<Dictionary<string, object?>>();
            foreach (var size in parse.GetValue(batch)!)
            {
                var options = new ReviewEncoderOptions { BatchSize = size, IntraOpThreads = parse.GetValue(threads) ?? Environment.ProcessorCount };
                using var encoder = ReviewEncoder.LoadEmbedded(options);
                encoder.Encode(texts.Take(size * 2).ToArray()); // warm-up
                var watch = Stopwatch.StartNew();
                var encoded = encoder.Encode(texts);
                var seconds = watch.Elapsed.TotalSeconds;
                var tokens = encoded.Sum(e => e.Pieces.Length);
                Console.WriteLine($"encoder batch {size}, {options.IntraOpThreads} threads: {texts.Length} reviews in {seconds:F2} s = {texts.Length / seconds:F0} reviews/s " +
                    $"({tokens / (double)texts.Length:F1} content tokens per review)");
                results.Add(new()
                {
                    ["batch"] = size,
                    ["threads"] = options.IntraOpThreads,
                    ["reviews"] = texts.Length,
                    ["seconds"] = Math.Round(seconds, 3),
                    ["reviewsPerSecond"] = Math.Round(texts.Length / seconds, 1),
                    ["tokensPerReview"] = Math.Round(tokens / (double)texts.Length, 1),
                    ["identity"] = encoder.Identity,
                });
            }

            Output.Write(results, parse.GetValue(json));
            return 0;
        });
        return command;
    }
}
