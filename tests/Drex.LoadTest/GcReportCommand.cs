using System.CommandLine;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Drex.LoadTest;

/// <summary>
/// `gc-report`: what a process allocated and what its collections cost, from a trace taken with
/// <c>dotnet-trace collect --profile gc-verbose</c>: every collection with its pause and what it promoted, then the
/// sampled allocations (one event per ~100 KB allocated) by type and by the frames that allocated them.
/// </summary>
public static class GcReportCommand
{
    public static Command Create()
    {
        var trace = new Argument<FileInfo>("trace") { Description = "A .nettrace file from dotnet-trace's gc-verbose profile." };
        var top = new Option<int>("--top") { Description = "Rows per table.", DefaultValueFactory = _ => 15 };
        var frames = new Option<int>("--frames") { Description = "Frames that name an allocation site.", DefaultValueFactory = _ => 3 };
        var command = new Command("gc-report", "Collections (pause, promoted bytes) and sampled allocations by type and site, from a gc-verbose trace.")
        {
            trace, top, frames,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(trace)!.FullName;
            Collections(path);
            Allocations(path, parse.GetValue(top), parse.GetValue(frames));
            return 0;
        });
        return command;
    }

    private static void Collections(string path)
    {
        using var source = new EventPipeEventSource(path);
        var (suspended, generation, promoted) = (0.0, -1, 0.0);
        var pauses = new List<(int Generation, double Ms)>();
        source.Clr.GCSuspendEEStart += e => suspended = e.TimeStampRelativeMSec;
        source.Clr.GCStart += e => generation = e.Depth;
        source.Clr.GCHeapStats += e => promoted += (e.TotalPromotedSize0 + e.TotalPromotedSize1) / 1e6;
        source.Clr.GCRestartEEStop += e => pauses.Add((generation, e.TimeStampRelativeMSec - suspended));
        source.Process();
        var seconds = source.SessionDuration.TotalSeconds;
        Console.WriteLine($"collections over {seconds:F1} s: {promoted:F0} MB promoted in all");
        foreach (var group in pauses.Where(p => p.Generation >= 0).GroupBy(p => p.Generation).OrderBy(g => g.Key))
        {
            var ms = group.Select(p => p.Ms).Order().ToArray();
            Console.WriteLine($"  gen{group.Key}: {ms.Length} ({ms.Length / seconds:F1}/s), pause mean {ms.Average():F1} ms, max {ms[^1]:F1} ms");
        }

        Console.WriteLine($"  paused {pauses.Sum(p => p.Ms) / 10 / seconds:F1}% of the time");
    }

    private static void Allocations(string path, int top, int frames)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(path));
        var (byType, bySite, total) = (new Dictionary<string, double>(), new Dictionary<string, double>(), 0.0);
        foreach (var e in log.Events)
        {
            if (e is not GCAllocationTickTraceData tick)
            {
                continue;
            }

            total += tick.AllocationAmount64;
            byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + tick.AllocationAmount64;
            var site = new List<string>();
            for (var frame = e.CallStack(); frame is not null && site.Count < frames; frame = frame.Caller)
            {
                site.Add(frame.CodeAddress.FullMethodName is { Length: > 0 } name ? name : "?");
            }

            var key = $"{tick.TypeName} @ {string.Join(" < ", site)}";
            bySite[key] = bySite.GetValueOrDefault(key) + tick.AllocationAmount64;
        }

        Console.WriteLine($"\nallocations sampled: {total / 1e6:F0} MB; by type");
        Print(byType, total, top);
        Console.WriteLine($"\nby type and site (the first {frames} frames)");
        Print(bySite, total, top);
    }

    private static void Print(Dictionary<string, double> bytes, double total, int top)
    {
        foreach (var (name, amount) in bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"  {amount / total * 100,5:F1}%  {(name.Length > 300 ? name[..300] : name)}");
        }
    }
}
