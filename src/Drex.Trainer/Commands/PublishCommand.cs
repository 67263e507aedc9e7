using System.CommandLine;
using Drex.Model.Bundle;
using Spectre.Console;

namespace Drex.Trainer.Commands;

/// <summary>`publish`: uploads a bundle folder to the system's storage and makes it the active model.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "A bundle folder written by train.", Required = true };
        var command = new Command("publish", "Upload a model bundle and make it the active version.") { bundle };
        foreach (var option in SystemConnection.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var loaded = await ModelBundle.LoadAsync(parse.GetValue(bundle)!, ct);
            await using var system = SystemConnection.Open(parse);
            await system.PublishAsync(loaded, ct);
            AnsiConsole.MarkupLineInterpolated($"Published {loaded.Version}");
            return 0;
        });
        return command;
    }
}
