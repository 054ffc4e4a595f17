using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// <see cref="Trainer.Steps"/>: the steps of a training loop written in a cell. The body below is notebook 01's loop
/// cell, line for line; run over these steps it must train exactly as <see cref="Trainer.Train"/> does, and the steps
/// must add the cap, the stop button, the progress statuses and a record that tells the lecture's schedule.
/// </summary>
[Collection(InProcessTorch.Name)]   // sets Trainer.Monitor
public class TrainingStepsTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    // Notebook 01's loop body (the model's forward pass stands for the cell's Forward).
    static void Body(int i, Mlp model, Generator g, List<float> lossi, int decayStep = 100_000, double lrBefore = 0.1)
    {
        using var scope = NewDisposeScope();
        var parameters = model.Parameters;
        // minibatch construct
        var ix = torch.randint(0, Data.Xtr.shape[0], [32], generator: g);
        var (Xb, Yb) = (Data.Xtr[ix], Data.Ytr[ix]);
        // forward pass
        var logits = model.Forward(Xb, training: true);
        var loss = nn.functional.cross_entropy(logits, Yb);
        // backward pass
        foreach (var p in parameters) p.grad = null;
        loss.backward();
        // update
        double lr = i < decayStep ? lrBefore : 0.01;
        using (torch.no_grad())
            foreach (var p in parameters) p.add_(-lr * p.grad!);
        // track stats
        lossi.Add(loss.log10().item<float>());
    }

    static TrainingSteps Steps(int maxSteps, List<float> lossi, Mlp model, string? cap = null,
                               CancellationToken cancellation = default, string label = "cell loop") =>
        new(maxSteps, lossi, model.Parameters, label, cancellation, Budget.Steps(maxSteps, cap));

    static void AssertSameParameters(Mlp a, Mlp b)
    {
        for (int k = 0; k < a.Parameters.Count; k++)
            Assert.True(a.Parameters[k].Exactly(b.Parameters[k]), $"parameter {k} differs");
    }

    [Fact]
    public void TheCellsLoopOverTheStepsTrainsBitForBitAsTrainerTrain()
    {
        var (ours, g1) = Mlp.Create(MlpConfig.Starter, Data.Vocab.Size, Data.BlockSize);
        var (library, g2) = Mlp.Create(MlpConfig.Starter, Data.Vocab.Size, Data.BlockSize);
        using var _o = ours;
        using var _l = library;
        var lossi = new List<float>();
        var run = Steps(30, lossi, ours);
        foreach (int i in run) Body(i, ours, g1, lossi);
        var expected = Trainer.Train(library, Data.Xtr, Data.Ytr, g2, new TrainingOptions(MaxSteps: 30), TextWriter.Null);

        Assert.Equal(expected.Lossi, lossi);
        Assert.Equal(expected.Lossi, run.Result.Lossi);
        AssertSameParameters(ours, library);
        Assert.True(expected.Initial.Zip(run.Result.Initial).All(p => p.First.SameAs(p.Second)), "the parameters at init");
        Assert.Null(run.Result.Options);
        // the update is sampled at step 0 and at the last step; it is the lecture's with lr 0.1, and with no other lr
        Assert.Equal([0, 29], run.Result.Updates.Select(u => u.Step));
        Assert.All(run.Result.Updates, u => Assert.True(u.Applied(0.1)));
        Assert.All(run.Result.Updates, u => Assert.False(u.Applied(0.01)));
        Assert.All(run.Result.Updates, u => Assert.False(u.Applied(0.1000001)));
        // a record where a TrainingResult is expected
        TrainingResult asResult = run;
        Assert.Same(run.Result, asResult);
        Assert.Throws<InvalidOperationException>(() => run.GetEnumerator());   // one run per Steps call
    }

    [Fact]
    public void TheStepCapShortensTheLoop()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var lossi = new List<float>();
        var run = Steps(200_000, lossi, model, cap: "7");
        var seen = new List<int>();
        foreach (int i in run) { seen.Add(i); Body(i, model, g, lossi); }
        Assert.Equal(Enumerable.Range(0, 7), seen);
        Assert.Equal(7, run.Count);
        Assert.Equal(7, run.Result.Steps);
        Assert.Equal(3, Steps(3, [], model, cap: "7").Count);   // a cap never lengthens a loop
    }

    [Fact]
    public void AStopBeforeAStepLeavesTheParametersOfTheStepsDoneAndSaysHowMany()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        using var stop = new CancellationTokenSource();
        var lossi = new List<float>();
        var e = Assert.Throws<TrainingStoppedException>(() =>
        {
            foreach (int i in Steps(200_000, lossi, model, cancellation: stop.Token))
            {
                Body(i, model, g, lossi);
                if (i == 11) stop.Cancel();   // the stop button, pressed during step 11
            }
        });
        Assert.Contains("stopped after 12 of 200000 steps", e.Message);
        Assert.Equal(12, e.Partial.Steps);
        Assert.Equal(lossi, e.Partial.Lossi);

        var (twin, g2) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _t = twin;
        var expected = Trainer.Train(twin, Data.Xtr, Data.Ytr, g2, new TrainingOptions(MaxSteps: 12), TextWriter.Null);
        Assert.Equal(expected.Lossi, lossi);
        AssertSameParameters(model, twin);
    }

    sealed class Recorder : IProgress<TrainingStatus>
    {
        public readonly List<TrainingStatus> Seen = [];
        public void Report(TrainingStatus value) { lock (Seen) Seen.Add(value); }
    }

    static List<TrainingStatus> Monitored(Action run)
    {
        var recorder = new Recorder();
        Trainer.Monitor = o => o.Label == "monitored" ? recorder : null;
        try { run(); }
        finally { Trainer.Monitor = null; }
        return recorder.Seen;
    }

    [Fact]
    public void TheMonitorSeesTheStepsAndTheLastStatus()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var lossi = new List<float>();
        var seen = Monitored(() => { foreach (int i in Steps(200_000, lossi, model, cap: "300", label: "monitored")) Body(i, model, g, lossi); });
        Assert.Equal((TrainingState.Running, 0, 300), (seen[0].State, seen[0].Steps, seen[0].TotalSteps));
        Assert.All(seen.SkipLast(1), s => Assert.Equal(TrainingState.Running, s.State));
        Assert.Equal((TrainingState.Finished, 300, 300), (seen[^1].State, seen[^1].Steps, seen[^1].TotalSteps));
        Assert.Equal(MathF.Pow(10, lossi[^1]), seen[^1].Loss);   // the loss the body appended last
        Assert.True(seen.Count < 300, "a few statuses a second at most, not one per step");
    }

    [Fact]
    public void ABreakAfterTheLossiLineEndsTheRunAsFinished()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var lossi = new List<float>();
        var steps = Steps(200_000, lossi, model, label: "monitored");
        var seen = Monitored(() =>
        {
            foreach (int i in steps)
            {
                Body(i, model, g, lossi);
                if (i >= 4) break;   // the lecture's `if i >= 1000: break # AFTER_DEBUG`
            }
        });
        Assert.Equal(5, steps.Result.Steps);
        Assert.Equal(lossi, steps.Result.Lossi);
        Assert.Equal((TrainingState.Finished, 5, 200_000), (seen[^1].State, seen[^1].Steps, seen[^1].TotalSteps));
    }

    [Fact]
    public void AnErrorInTheBodyEndsTheRunAsFailed()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var lossi = new List<float>();
        var steps = Steps(200_000, lossi, model, label: "monitored");
        var seen = Monitored(() => Assert.Throws<DivideByZeroException>(() =>
        {
            foreach (int i in steps)
            {
                if (i == 3) throw new DivideByZeroException();
                Body(i, model, g, lossi);
            }
        }));
        Assert.Equal(3, steps.Result.Steps);
        Assert.Equal((TrainingState.Failed, 3), (seen[^1].State, seen[^1].Steps));
    }

    [Fact]
    public void ABodyThatAppendsNoLossIsToldWhatTheStepsRead()
    {
        var (model, _) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var e = Assert.Throws<InvalidOperationException>(() => { foreach (int i in Steps(10, [], model)) { } });
        Assert.Contains("after step 0, lossi holds 0 losses of this loop instead of 1", e.Message);
        Assert.Contains("lossi.Add(loss.log10().item<float>())", e.Message);
    }

    [Fact]
    public void TheComparisonWithTheLectureSeesAnEditedLearningRateDecay()
    {
        // Steps 0–999 at 0.1 as the lecture, then 0.01 from step 1000 instead of 100000: the sample at step 1000 sees it.
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var lossi = new List<float>();
        var run = Steps(1001, lossi, model);
        foreach (int i in run) Body(i, model, g, lossi, decayStep: 1000);
        Assert.Equal([0, 999, 1000], run.Result.Updates.Select(u => u.Step));
        var match = Part1Reference.Match(Data, run);
        Assert.Equal(MlpConfig.Kaiming, match.Stage);
        Assert.False(match.FullRun);
        Assert.Contains("the update at step 1000 is not the lecture's p.data += -lr * p.grad with lr 0.1", match.Verdict);

        // another lr from the first step: the parameters and first loss are still the lecture's, the losses after are not
        var (other, g2) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _o = other;
        var lossi2 = new List<float>();
        var run2 = Steps(3, lossi2, other);
        foreach (int i in run2) Body(i, other, g2, lossi2, lrBefore: 0.2);
        Assert.Contains("the update at step 0 is not the lecture's", Part1Reference.Match(Data, run2).Verdict);
    }

    [Theory]
    [InlineData(200_000, null, "200", 200, null)]                  // no break: max_steps is capped (prints "/    200")
    [InlineData(200_000, 1000, "200", 200_000, 199)]               // a break: it is capped, max_steps prints as written
    [InlineData(200_000, 1000, null, 200_000, 1000)]
    [InlineData(300, null, "1000", 300, null)]                     // a cap never lengthens a run
    public void TrainAppliesTheStepCapWhereTheLoopRuns(int maxSteps, int? stopAfter, string? cap, int expectedMax, int? expectedStop)
    {
        var capped = Trainer.Capped(new TrainingOptions(MaxSteps: maxSteps, StopAfter: stopAfter), cap);
        Assert.Equal((expectedMax, expectedStop), (capped.MaxSteps, capped.StopAfter));
    }
}
