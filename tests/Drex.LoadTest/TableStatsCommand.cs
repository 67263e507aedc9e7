using System.CommandLine;
using Azure.Data.Tables;

namespace Drex.LoadTest;

/// <summary>
/// `table-stats`: how many grain-state entities a storage account holds and how big the largest are (sum of their
/// binary and string properties), e.g. to watch actor state grow under load or to see what reads wrote.
/// </summary>
public static class TableStatsCommand
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection-string") { Required = true };
        var table = new Option<string>("--table") { Description = "The grain-state table (actors: drexactors; the registry: OrleansGrainState).", DefaultValueFactory = _ => "drexactors" };
        var top = new Option<int>("--top") { DefaultValueFactory = _ => 5 };
        var contains = new Option<string?>("--contains") { Description = "Only entities whose partition or row key contains this text." };
        var json = new Option<string?>("--json");
        var command = new Command("table-stats", "Counts grain-state entities and lists the largest.") { connection, table, top, contains, json };
        command.SetAction(async (parse, ct) =>
        {
            var client = new TableServiceClient(parse.GetValue(connection)).GetTableClient(parse.GetValue(table));
            var filter = parse.GetValue(contains);
            var count = 0;
            long bytes = 0;
            var largest = new List<(string Key, string Type, long Bytes)>();
            await foreach (var entity in client.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                if (filter is not null && !entity.PartitionKey.Contains(filter, StringComparison.Ordinal) && !entity.RowKey.Contains(filter, StringComparison.Ordinal))
                {
                    continue;
                }

                long size = 0;
                foreach (var (key, value) in entity)
                {
                    size += value switch
                    {
                        byte[] b => b.Length,
                        BinaryData d => d.ToMemory().Length,
                        string s when key is not "PartitionKey" and not "RowKey" => s.Length * 2,
                        _ => 0,
                    };
                }

                count++;
                bytes += size;
                largest.Add((entity.PartitionKey, entity.RowKey, size));
                if (largest.Count > 4 * parse.GetValue(top))
                {
                    largest = [.. largest.OrderByDescending(x => x.Bytes).Take(parse.GetValue(top))];
                }
            }

            largest = [.. largest.OrderByDescending(x => x.Bytes).Take(parse.GetValue(top))];
            Console.WriteLine($"{parse.GetValue(table)}: {count} entities{(filter is null ? "" : $" matching '{filter}'")}, {bytes / 1e6:F2} MB of state");
            foreach (var (key, type, size) in largest)
            {
                Console.WriteLine($"  {size / 1024.0,9:F1} KiB  {type}  {key}");
            }

            Output.Write(new Dictionary<string, object?>
            {
                ["table"] = parse.GetValue(table),
                ["entities"] = count,
                ["bytes"] = bytes,
                ["largest"] = largest.Select(x => new { x.Key, x.Type, x.Bytes }).ToArray(),
            }, parse.GetValue(json));
            return 0;
        });
        return command;
    }
}
