using Drex.Trainer.Commands;

namespace Drex.Trainer.Tests.Commands;

public sealed class RetrainScheduleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Due_NothingNewSinceLastModel_IsFalseEvenWhenTimeIsUp()
    {
        var time = new ManualTime();
        var schedule = new RetrainSchedule(TimeSpan.FromMinutes(10), 100, time);
        schedule.Trained(upTo: 41, time.Now);
        time.Now += TimeSpan.FromHours(1);

        Assert.False(schedule.Due(logHead: 41));
    }

    [Fact]
    public void Due_EnoughNewInteractions_IsTrueBeforeTheInterval()
    {
        var time = new ManualTime();
        var schedule = new RetrainSchedule(TimeSpan.FromMinutes(10), 100, time);
        schedule.Trained(upTo: 41, time.Now);

        Assert.False(schedule.Due(logHead: 140));
        Assert.True(schedule.Due(logHead: 141));
    }

    [Fact]
    public void Due_FewNewInteractions_WaitsForTheInterval()
    {
        var time = new ManualTime();
        var schedule = new RetrainSchedule(TimeSpan.FromMinutes(10), 100, time);
        schedule.Trained(upTo: 41, time.Now);
        time.Now += TimeSpan.FromMinutes(9);
        Assert.False(schedule.Due(logHead: 45));

        time.Now += TimeSpan.FromMinutes(1);
        Assert.True(schedule.Due(logHead: 45));
    }

    [Fact]
    public void Due_FirstRunWithAnyInteraction_IsTrue()
    {
        var schedule = new RetrainSchedule(TimeSpan.FromMinutes(10), 100, new ManualTime());
        Assert.False(schedule.Due(logHead: -1));
        Assert.True(schedule.Due(logHead: 0));
    }

    [Fact]
    public void Due_AfterResumingFromAnOlderServedModel_CountsFromItsWatermarkAndPublishTime()
    {
        var time = new ManualTime();
        var schedule = new RetrainSchedule(TimeSpan.FromMinutes(10), 100, time);
        schedule.Trained(upTo: 2081, time.Now - TimeSpan.FromMinutes(4));

        Assert.False(schedule.Due(logHead: 2081));
        Assert.False(schedule.Due(logHead: 2090));
        time.Now += TimeSpan.FromMinutes(6);
        Assert.True(schedule.Due(logHead: 2090));
    }
}
