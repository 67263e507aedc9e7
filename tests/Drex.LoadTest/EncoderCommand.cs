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
        var batch = new Option<int[]>("--batch") { Description = "Texts per Encode call (the silo's encoder service passes up to 32 waiting texts, run in ONNX batches of 16).", DefaultValueFactory = _ => [32], AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads per batch (default: as the silo runs it, ReviewEncoderOptions.Serving)." };
        var workers = new Option<int?>("--workers") { Description = "Batches encoded at once on the shared session (default: as the silo, one per core)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var single = new Option<int>("--single") { Description = "Also encode this many reviews one call at a time, with --gap-ms between calls (as a silo sees reviews at a low rate), reporting CPU per review.", DefaultValueFactory = _ => 0 };
        var gap = new Option<int>("--gap-ms") { DefaultValueFactory = _ => 20 };
        var json = new Option<string?>("--json");
        var command = new Command("encoder", "Encodes N generated reviews in batches and reports reviews per second.") { count, batch, threads, workers, seed, single, gap, json };
        command.SetAction(parse =>
        {
            var random = new Random(parse.GetValue(seed));
            var texts = Enumerable.Range(0, parse.GetValue(count)).Select(_ => LoadRunner.Review(random)).ToArray();
            var results = new List<Dictionary<string, object?>>();
            var threadCount = parse.GetValue(threads) ?? ReviewEncoderOptions.Serving.IntraOpThreads;
            var workerCount = parse.GetValue(workers) ?? ReviewEncoderOptions.ServingWorkers;
            foreach (var size in parse.GetValue(batch)!)
            {
                var options = ReviewEncoderOptions.Serving with { BatchSize = size, IntraOpThreads = threadCount };
                using var encoder = ReviewEncoder.LoadEmbedded(options);
                encoder.Encode(texts.Take(size * 2).ToArray()); // warm-up
                var chunks = texts.Chunk(size).ToArray();
                var next = -1;
                var encoded = new IReadOnlyList<EncodedText>[chunks.Length];
                var watch = Stopwatch.StartNew();
                Parallel.For(0, workerCount, new ParallelOptions { MaxDegreeOfParallelism = workerCount }, _ =>
                {
                    for (int c; (c = Interlocked.Increment(ref next)) < chunks.Length;)
                    {
                        encoded[c] = encoder.Encode(chunks[c]);
                    }
                });
                var seconds = watch.Elapsed.TotalSeconds;
                var tokens = encoded.Sum(e => e.Sum(x => x.Pieces.Length));
                Console.WriteLine($"encoder batch {size}, {workerCount} workers x {threadCount} threads: {texts.Length} reviews in {seconds:F2} s = {texts.Length / seconds:F0} reviews/s " +
                    $"({tokens / (double)texts.Length:F1} content tokens per review)");
                results.Add(new()
                {
                    ["batch"] = size,
                    ["threads"] = threadCount,
                    ["workers"] = workerCount,
                    ["reviews"] = texts.Length,
                    ["seconds"] = Math.Round(seconds, 3),
                    ["reviewsPerSecond"] = Math.Round(texts.Length / seconds, 1),
                    ["tokensPerReview"] = Math.Round(tokens / (double)texts.Length, 1),
                    ["identity"] = encoder.Identity,
                });
            }

            if (parse.GetValue(single) > 0)
            {
                // One review per call with idle gaps: wall time of the calls vs process CPU over the whole loop (gaps
                // included). CPU well above calls x threads x call time means the ONNX Runtime pool keeps burning CPU
                // between calls (its worker threads spin-wait before they sleep).
                var options = ReviewEncoderOptions.Serving with { IntraOpThreads = threadCount };
                using var encoder = ReviewEncoder.LoadEmbedded(options);
                encoder.Encode(texts.Take(4).ToArray());
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var inCalls = TimeSpan.Zero;
                var n = parse.GetValue(single);
                for (var k = 0; k < n; k++)
                {
                    var call = Stopwatch.StartNew();
                    encoder.Encode([texts[k % texts.Length]]);
                    inCalls += call.Elapsed;
                    Thread.Sleep(parse.GetValue(gap));
                }

                process.Refresh();
                var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / n;
                var callMs = inCalls.TotalMilliseconds / n;
                Console.WriteLine($"encoder one review per call, {options.IntraOpThreads} threads, {parse.GetValue(gap)} ms gaps: {callMs:F2} ms per call, " +
                    $"{cpuMs:F2} ms process CPU per review (calls and gaps), {wall.Elapsed.TotalSeconds:F1} s wall");
                results.Add(new()
                {
                    ["single"] = n,
                    ["threads"] = options.IntraOpThreads,
                    ["gapMs"] = parse.GetValue(gap),
                    ["callMs"] = Math.Round(callMs, 3),
                    ["cpuMsPerReview"] = Math.Round(cpuMs, 3),
                });
            }

            Output.Write(results, parse.GetValue(json));
            return 0;
        });
        return command;
    }
}
