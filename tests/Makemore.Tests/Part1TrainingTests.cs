using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>Training a part-1 stage is deterministic, and a diverging run stops with a clear message.</summary>
[Collection(InProcessTorch.Name)]
public class Part1TrainingTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void ShortRunIsBitIdenticalWhenRepeated(int stage)
    {
        using var a = StageRun.Train(Data, MlpConfig.Stages[stage], 50, log: TextWriter.Null);
        using var b = StageRun.Train(Data, MlpConfig.Stages[stage], 50, log: TextWriter.Null);
        Assert.Equal(50, a.Training.Steps);
        Assert.Equal(a.Training.Lossi, b.Training.Lossi);
        for (int i = 0; i < a.Model.Parameters.Count; i++)
            Assert.True(a.Model.Parameters[i].Exactly(b.Model.Parameters[i]), $"parameter {i} differs");
        Assert.Equal(a.TrainLoss, b.TrainLoss);
        Assert.Equal(a.ValLoss, b.ValLoss);
        Assert.True(a.Training.Lossi[^1] < a.Training.Lossi[0], "50 steps lower the loss");
    }

    [Fact]
    public void CalibrationMeasuresTheWholeTrainingSplitAndTheRunningStatisticsMoveTowardsIt()
    {
        using var run = StageRun.Train(Data, MlpConfig.BatchNorm, 50, log: TextWriter.Null);
        var bn = run.Model.bn!;
        var calibrated = run.Calibrate();
        // the oracle: TorchSharp's own mean and unbiased std over dim 0 of emb·W1 for every training example
        using (no_grad())
        {
            var hpreact = run.Model.C[Data.Xtr].view(Data.Xtr.shape[0], -1).mm(run.Model.W1);
            Assert.True(calibrated.Mean.Exactly(hpreact.mean([0], keepdim: true)), "calibrated mean");
            Assert.True(calibrated.Std.Exactly(hpreact.std(0, keepdim: true)), "calibrated std");
        }
        // After 50 steps the running estimates have moved only 1 − 0.999^50 ≈ 5% of the way from their start (mean 0,
        // std 1): nearer the calibrated values than where they started, still far from them.
        var comparison = BatchNormCalibration.Compare(calibrated, bn.Running);
        double Distance(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Sum();
        float[] startStd = Enumerable.Repeat(1f, 200).ToArray(), startMean = new float[200];
        Assert.True(Distance(comparison.RunningStd, comparison.CalibratedStd) < Distance(startStd, comparison.CalibratedStd));
        Assert.True(Distance(comparison.RunningMean, comparison.CalibratedMean) < Distance(startMean, comparison.CalibratedMean));
        Assert.True(comparison.MaxStdDifference > 0.1f, "50 steps are not enough for the running std to arrive");
        // The losses with the calibrated statistics are the lecture's evaluation written out with them:
        // bngain · (hpreact − bnmean) / bnstd + bnbias, tanh, the output layer, F.cross_entropy over the whole split.
        var (train, val) = run.SplitLossesWith(calibrated);
        float Oracle(Tensor X, Tensor Y)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var m = run.Model;
            var hpreact = m.C[X].view(X.shape[0], -1).mm(m.W1);
            hpreact = bn.bngain * (hpreact - calibrated.Mean) / calibrated.Std + bn.bnbias;
            var logits = tanh(hpreact).mm(m.W2) + m.b2;
            return nn.functional.cross_entropy(logits, Y).item<float>();
        }
        Assert.Equal(Oracle(Data.Xtr, Data.Ytr), train, 1e-6f);
        Assert.Equal(Oracle(Data.Xdev, Data.Ydev), val, 1e-6f);
    }

    [Fact]
    public void LossLogHasOurNumbersNextToTheLecturesOnlyWhereTheLectureRanThem()
    {
        using var run = StageRun.Train(Data, MlpConfig.Starter, 3, log: TextWriter.Null);
        var row = Assert.Single(LossLog.Rows(run));
        Assert.Equal(27.8817, row.LectureStep0Loss);                 // the same init and first loss: step 0 compares
        Assert.True(double.IsNaN(row.LectureTrain), "3 steps are not the lecture's 200000: no final reference");
        string table = LossLog.Format([row]);
        Assert.Contains("27.8817 / 27.8817", table);

        // A stage that keeps the lecture's name but not its scales is not matched by its name.
        using var tweaked = StageRun.Train(Data, MlpConfig.Starter with { W1 = 0.5 }, 3, log: TextWriter.Null);
        var tweakedRow = Assert.Single(LossLog.Rows(tweaked));
        Assert.Equal("original", tweakedRow.Stage);
        Assert.Null(tweakedRow.LectureStep0Loss);
        Assert.Equal("no lecture reference for W1 × 0.5: the lecture ran W1 × 1 (its stage 'original')",
                     Part1Reference.Match(Data, tweaked.Training).Verdict);
    }

    [Fact]
    public void NaNLossStopsTrainingNamingTheStepAndLearningRate()
    {
        // W2 × 1e38: the logits overflow float32 at once.
        var config = MlpConfig.Starter with { Name = "exploding", W2 = 1e38 };
        var e = Assert.Throws<TrainingDivergedException>(() => StageRun.Train(Data, config, 10, log: TextWriter.Null));
        Assert.Contains("step 0", e.Message);
        Assert.Contains("lr 0.1", e.Message);
        Assert.Contains("exploding", e.Message);
    }

    [Fact]
    public void SampledNamesAreRepeatable()
    {
        using var run = StageRun.Train(Data, MlpConfig.Kaiming, 20, log: TextWriter.Null);
        var first = run.Sample(5);
        Assert.Equal(5, first.Count);
        Assert.All(first, n => Assert.EndsWith(".", n));
        Assert.Equal(first, run.Sample(5));
    }
}
