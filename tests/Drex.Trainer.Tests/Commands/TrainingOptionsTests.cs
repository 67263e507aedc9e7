using System.CommandLine;
using Drex.Trainer.Commands;
using Drex.Trainer.Training;

namespace Drex.Trainer.Tests.Commands;

public sealed class TrainingOptionsTests
{
    public static TheoryData<string, string> Commands => new()
    {
        { "evaluate", "--data d" },
        { "train", "--data d --out o" },
        { "loop", "" },
    };

    private static Command Create(string name) => name switch
    {
        "evaluate" => EvaluateCommand.Create(),
        "train" => TrainCommand.Create(),
        _ => LoopCommand.Create(),
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryTrainingCommand_WithoutSettings_TrainsTheDefaultModel(string name, string required)
    {
        var parse = Create(name).Parse(required);

        Assert.Empty(parse.Errors);
        Assert.Equal(new TrainerOptions(), CommonOptions.Trainer(parse));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryTrainingCommand_TakesTheModelSettings(string name, string required)
    {
        var parse = Create(name).Parse($"{required} --device cpu --epochs 3 --aux-text-loss 0 --oof-head false --sentiment-attention false");

        Assert.Empty(parse.Errors);
        Assert.Equal(
            new TrainerOptions { Device = "cpu", MaxEpochs = 3, AuxTextLoss = 0, OutOfFoldHead = false, SentimentAttention = false },
            CommonOptions.Trainer(parse));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryTrainingCommand_RefusesAnUnknownDevice(string name, string required)
    {
        var parse = Create(name).Parse($"{required} --device gpu");

        Assert.Contains(parse.Errors, e => e.Message.Contains("gpu", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryTrainingCommand_TakesCuda_OnlyWhereItIsUsable(string name, string required)
    {
        var parse = Create(name).Parse($"{required} --device cuda");

        if (DrexTrainer.CudaAvailable)
        {
            Assert.Empty(parse.Errors);
        }
        else
        {
            Assert.Contains(parse.Errors, e => e.Message.Contains("CUDA is not usable here", StringComparison.Ordinal));
        }
    }
}
