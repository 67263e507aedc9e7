using System.CommandLine;
using System.Diagnostics;
using Drex.Model.Bundle;
using Drex.Model.Onnx;
using Drex.Model.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Drex.LoadTest;

/// <summary>
/// `steps`: what serving's single GRU steps and predictions cost, as row graphs (what the silo runs) against ONNX
/// Runtime on the same graphs, one row per call and in batches: the ceiling that decided how the silo runs them.
/// </summary>
public static class StepsCommand
{
    public static Command Create()
    {
        var hidden = new Option<int>("--hidden") { Description = "State and fused-feature width.", DefaultValueFactory = _ => 64 };
        var rows = new Option<int>("--rows") { Description = "Rows per measurement.", DefaultValueFactory = _ => 50_000 };
        var batch = new Option<int>("--batch") { Description = "Rows per ONNX Runtime call in the batched measurement.", DefaultValueFactory = _ => 64 };
        var json = new Option<string?>("--json");
        var command = new Command("steps", "Times GRU steps and dot-head predictions: row graphs against ONNX Runtime, single rows and batches.")
        {
            hidden, rows, batch, json,
        };
        command.SetAction(parse =>
        {
            var (h, n, b) = (parse.GetValue(hidden), parse.GetValue(rows), parse.GetValue(batch));
            var settings = new ModelSettings { HiddenDim = h, FusionDim = h };
            var graphs = DrexGraphs.Build(settings, ModelWeights.Random(settings, seed: 1));
            var random = new Random(2);
            var features = Enumerable.Range(0, n * h).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var states = Enumerable.Range(0, n * h).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            float[] Row(float[] data, int k) => data[(k * h)..((k + 1) * h)];
            var featureRows = Enumerable.Range(0, n).Select(k => Row(features, k)).ToArray();
            var stateRows = Enumerable.Range(0, n).Select(k => Row(states, k)).ToArray();

            var cell = RowGraph.Compile(graphs[DrexGraphs.UserCellFile], DrexGraphs.UserCellFile,
                [DrexGraphs.Names.Input, DrexGraphs.Names.State], DrexGraphs.Names.NewState);
            var head = RowGraph.Compile(graphs[DrexGraphs.DotHeadFile], DrexGraphs.DotHeadFile,
                [DrexGraphs.Names.User, DrexGraphs.Names.Item, DrexGraphs.Names.UserBias, DrexGraphs.Names.ItemBias], DrexGraphs.Names.Rating);
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var onnxCell = new InferenceSession(graphs[DrexGraphs.UserCellFile], options);
            using var onnxHead = new InferenceSession(graphs[DrexGraphs.DotHeadFile], options);
            using var run = new RunOptions();

            float[] OnnxStep(float[] x, float[] s, int count)
            {
                using var xv = OrtValue.CreateTensorValueFromMemory(x, [count, h]);
                using var sv = OrtValue.CreateTensorValueFromMemory(s, [count, h]);
                using var outputs = onnxCell.Run(run, [DrexGraphs.Names.Input, DrexGraphs.Names.State], [xv, sv], [DrexGraphs.Names.NewState]);
                return outputs[0].GetTensorDataAsSpan<float>().ToArray();
            }

            float[] OnnxPredict(float[] p, float[] q, int count)
            {
                using var pv = OrtValue.CreateTensorValueFromMemory(p, [count, h]);
                using var qv = OrtValue.CreateTensorValueFromMemory(q, [count, h]);
                using var bu = OrtValue.CreateTensorValueFromMemory(new float[count], [count, 1]);
                using var bi = OrtValue.CreateTensorValueFromMemory(new float[count], [count, 1]);
                using var outputs = onnxHead.Run(run, [DrexGraphs.Names.User, DrexGraphs.Names.Item, DrexGraphs.Names.UserBias, DrexGraphs.Names.ItemBias],
                    [pv, qv, bu, bi], [DrexGraphs.Names.Rating]);
                return outputs[0].GetTensorDataAsSpan<float>().ToArray();
            }

            var chunks = Enumerable.Range(0, n / b).Select(c => (Features: features[(c * b * h)..((c + 1) * b * h)], States: states[(c * b * h)..((c + 1) * b * h)])).ToArray();
            var measured = new (string Name, Action<int> Work, int Rows)[]
            {
                ("step, row graph, one row a call", k => cell.Run(featureRows[k], stateRows[k], new float[h]), n),
                ("step, ONNX Runtime, one row a call", k => OnnxStep(featureRows[k], stateRows[k], 1), n),
                ($"step, ONNX Runtime, {b} rows a call", c => OnnxStep(chunks[c].Features, chunks[c].States, b), chunks.Length),
                ("prediction, row graph, one row a call", k => head.Run(stateRows[k], featureRows[k], [0f], [0f], new float[1]), n),
                ("prediction, ONNX Runtime, one row a call", k => OnnxPredict(stateRows[k], featureRows[k], 1), n),
                ($"prediction, ONNX Runtime, {b} rows a call", c => OnnxPredict(chunks[c].States, chunks[c].Features, b), chunks.Length),
            };

            var results = new List<Dictionary<string, object?>>();
            Console.WriteLine($"hidden {h}, {n} rows per measurement, after a warm-up of the same length");
            foreach (var (name, work, calls) in measured)
            {
                for (var k = 0; k < calls; k++)
                {
                    work(k);
                }

                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                for (var k = 0; k < calls; k++)
                {
                    work(k);
                }

                var perRow = watch.Elapsed.TotalMicroseconds / n;
                var cpuPerRow = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
                Console.WriteLine($"{name,-44} {perRow,8:F2} µs a row, {cpuPerRow,8:F2} µs process CPU a row");
                results.Add(new() { ["name"] = name, ["microsecondsPerRow"] = perRow, ["cpuMicrosecondsPerRow"] = cpuPerRow });
            }

            Output.Write(new { hidden = h, rows = n, batch = b, results }, parse.GetValue(json));
        });
        return command;
    }
}
