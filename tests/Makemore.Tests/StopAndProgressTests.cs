using TorchSharp;

namespace Makemore.Tests;

/// <summary>
/// The notebook's stop button and progress display, as the library sees them: a cancellation token cancelled from
/// another thread, and <see cref="Trainer.Monitor"/>. A stopped run returns early with the state of its last
/// completed step, on both paths.
/// </summary>
[Collection(InProcessTorch.Name)]
public class StopAndProgressTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    // Signals the test once the loop has printed a few lines, i.e. is well under way.
    sealed class Waypoint(int lines) : StringWriter
    {
        public readonly ManualResetEventSlim Reached = new();
        int seen;
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (++seen == lines) Reached.Set();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStoppedRunReturnsEarlyWithTheStateOfItsLastCompletedStep(bool fast)
    {
        var (model, g) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        using var stop = new CancellationTokenSource();
        var log = new Waypoint(lines: 3);
        var options = new TrainingOptions(MaxSteps: 200_000, PrintEvery: 50, Fast: fast, Label: "stop me");
        var run = Task.Run(() => Trainer.Train(model, Data.Xtr, Data.Ytr, g, options, log, stop.Token));
        Assert.True(log.Reached.Wait(TimeSpan.FromMinutes(2)), "the run got under way");
        stop.Cancel();                                            // the stop button, from another thread

        var e = Assert.Throws<AggregateException>(() => run.Wait()).InnerException;
        var stopped = Assert.IsType<TrainingStoppedException>(e);
        int steps = stopped.Partial.Steps;
        Assert.InRange(steps, 101, 199_999);                      // after the third printed line, long before the end
        Assert.Equal(steps, stopped.Partial.Lossi.Count);
        Assert.Contains($"stopped after {steps} of 200000 steps", stopped.Message);

        // The model is exactly where a run of just those steps leaves it: parameters and running statistics.
        var (twin, g2) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _t = twin;
        var twinRun = Trainer.Train(twin, Data.Xtr, Data.Ytr, g2, options with { MaxSteps = steps }, TextWriter.Null);
        Assert.Equal(twinRun.Lossi, stopped.Partial.Lossi);
        for (int k = 0; k < model.Parameters.Count; k++)
            Assert.True(model.Parameters[k].Exactly(twin.Parameters[k]), $"parameter {k}");
        Assert.True(model.bn!.bnmean_running.Exactly(twin.bn!.bnmean_running), "running mean");
        Assert.True(model.bn!.bnstd_running.Exactly(twin.bn!.bnstd_running), "running std");

        // and the next cell can go on training it
        var more = Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 5, Fast: fast), TextWriter.Null);
        Assert.Equal(5, more.Steps);
    }

    sealed class Recorder : IProgress<TrainingStatus>
    {
        public readonly List<TrainingStatus> Seen = [];
        public void Report(TrainingStatus value) { lock (Seen) Seen.Add(value); }
    }

    [Fact]
    public void TheMonitorSeesTheRunAndItsLastStatus()
    {
        var recorder = new Recorder();
        Trainer.Monitor = o => o.Label == "monitored" ? recorder : null;
        try
        {
            var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
            using var _m = model;
            var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 300, Label: "monitored"), TextWriter.Null);
            var first = recorder.Seen[0];
            Assert.Equal((TrainingState.Running, 0, 300), (first.State, first.Steps, first.TotalSteps));
            var last = recorder.Seen[^1];
            Assert.Equal((TrainingState.Finished, 300), (last.State, last.Steps));
            Assert.Equal(result.LastLoss, last.Loss, 4);
            Assert.StartsWith("monitored: 300/300 steps in ", last.ToString());
            Assert.All(recorder.Seen.SkipLast(1), s => Assert.Equal(TrainingState.Running, s.State));
            // a few times a second at most: far fewer statuses than steps
            Assert.True(recorder.Seen.Count < 300);
        }
        finally
        {
            Trainer.Monitor = null;
        }
    }

    [Fact]
    public void AStatusSaysWhereTheRunIsAndHowLongItHasLeft()
    {
        var running = new TrainingStatus("train", 50_000, 200_000, 2.12345f, TimeSpan.FromSeconds(10), TrainingState.Running);
        Assert.Equal("train: step 50000/200000, loss 2.1235, 5000 steps/s, 30.0 s left", running.ToString());
        var stopped = running with { State = TrainingState.Stopped };
        Assert.Equal("train: stopped after 50000 of 200000 steps (10.0 s); the model keeps the state of step 49999", stopped.ToString());
    }
}
