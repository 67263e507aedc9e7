using System.CommandLine;
using Drex.LoadTest;

var root = new RootCommand("Drex load and micro benchmarks: an open-model HTTP load generator for the gateway, and the ceilings to read it against.")
{
    RunCommand.Create(),
    PublishSyntheticCommand.Create(),
    EncoderCommand.Create(),
    TableWritesCommand.Create(),
    BlobReadCommand.Create(),
    TableStatsCommand.Create(),
    BundleLoadCommand.Create(),
    GcReportCommand.Create(),
    StepsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
