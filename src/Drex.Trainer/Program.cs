using System.CommandLine;
using Drex.Trainer.Commands;

TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
if (Console.IsOutputRedirected)
{
    // Logs and CI: wide enough for the results table.
    Spectre.Console.AnsiConsole.Profile.Width = 160;
}

var root = new RootCommand("Drex trainer: trains and evaluates DReX, exports model bundles.")
{
    EvaluateCommand.Create(),
    TrainCommand.Create(),
    PublishCommand.Create(),
    LoopCommand.Create(),
    DemoCommand.Create(),
    ReplayCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
