using System.CommandLine;
using System.Diagnostics;
using Drex.Storage;

namespace Drex.LoadTest;

/// <summary>
/// `blob-read`: how fast the storage account (Azurite) serves one blob, read to the end and dropped, by one reader and
/// by several at once: the ceiling of a silo downloading a model bundle's snapshot.
/// </summary>
public static class BlobReadCommand
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection-string") { Description = "Storage connection string.", Required = true };
        var container = new Option<string>("--container") { Description = "The blob container.", DefaultValueFactory = _ => "drex-models" };
        var blob = new Option<string>("--blob") { Description = "The blob's name, e.g. VERSION/actors.bin.", Required = true };
        var readers = new Option<int[]>("--readers") { Description = "Readers at once, one run per value.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var json = new Option<string?>("--json");
        var command = new Command("blob-read", "Reads one blob to the end (Azure.Storage.Blobs, as the silos do) by one reader and by several at once.")
        {
            connection, container, blob, readers, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var client = BlobClients.Container(parse.GetValue(connection)!, parse.GetValue(container)!).GetBlobClient(parse.GetValue(blob));
            var results = new List<Dictionary<string, object?>>();
            foreach (var n in parse.GetValue(readers)!)
            {
                var watch = Stopwatch.StartNew();
                var bytes = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => ReadAsync(client, ct)));
                var seconds = watch.Elapsed.TotalSeconds;
                var megabytes = bytes.Sum() / 1e6;
                Console.WriteLine($"blob read by {n} reader(s) at once: {bytes[0] / 1e6:F1} MB each in {seconds:F2} s ({megabytes / seconds:F0} MB/s in all)");
                results.Add(new() { ["readers"] = n, ["bytesEach"] = bytes[0], ["seconds"] = Math.Round(seconds, 3), ["megabytesPerSecond"] = Math.Round(megabytes / seconds, 1) });
            }

            Output.Write(results, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static async Task<long> ReadAsync(Azure.Storage.Blobs.BlobClient client, CancellationToken cancellationToken)
    {
        var download = await client.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = download.Value.Content;
        var buffer = new byte[1 << 20];
        var total = 0L;
        for (int read; (read = await content.ReadAsync(buffer, cancellationToken)) > 0;)
        {
            total += read;
        }

        return total;
    }
}
