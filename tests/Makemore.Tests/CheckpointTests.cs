using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>A trained model saved and loaded back: every parameter and running statistic bit for bit; a file for another
/// model refused by name with the model left alone; a failed save leaves the previous file.</summary>
[Collection(InProcessTorch.Name)]
public class CheckpointTests : IDisposable
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;
    readonly string dir = Directory.CreateTempSubdirectory("checkpoint").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ASavedModelLoadsBackBitForBitRunningStatisticsIncluded()
    {
        var (trained, g) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _t = trained;
        Trainer.Train(trained, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 20), TextWriter.Null);
        string path = Path.Combine(dir, "bn.ckpt");
        Checkpoint.Save(trained, path);

        using var fresh = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize).Model;
        Assert.False(fresh.W1.Exactly(trained.W1));
        Checkpoint.Load(fresh, path);
        for (int k = 0; k < trained.Parameters.Count; k++)
            Assert.True(fresh.Parameters[k].Exactly(trained.Parameters[k]), $"parameter {k}");
        Assert.True(fresh.bn!.bnmean_running.Exactly(trained.bn!.bnmean_running));
        Assert.True(fresh.bn!.bnstd_running.Exactly(trained.bn!.bnstd_running));
        Assert.Equal(Evaluation.SplitLoss(trained, Data.Xdev, Data.Ydev), Evaluation.SplitLoss(fresh, Data.Xdev, Data.Ydev));
    }

    [Fact]
    public void AFileForAnotherModelIsRefusedByNameAndTheModelIsLeftAlone()
    {
        string path = Path.Combine(dir, "kaiming.ckpt");
        using (var kaiming = Mlp.Create(MlpConfig.Kaiming, 27, 3).Model) Checkpoint.Save(kaiming, path);

        using var batchNorm = Mlp.Create(MlpConfig.BatchNorm, 27, 3).Model;
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(batchNorm, path));
        Assert.EndsWith("holds 5 tensors; this model has 8 (6 parameters, 2 buffers)", e.Message);

        using var narrower = Mlp.Create(MlpConfig.Kaiming with { NHidden = 100 }, 27, 3).Model;
        var before = narrower.Parameters.Select(p => p.clone()).ToList();
        var e2 = Assert.Throws<ArgumentException>(() => Checkpoint.Load(narrower, path));
        Assert.Contains("'parameters.1' does not fit this model's (30, 100) Float32 tensor", e2.Message);
        for (int k = 0; k < before.Count; k++) Assert.True(narrower.Parameters[k].Exactly(before[k]), $"parameter {k} untouched");
    }

    [Fact]
    public void ASaveThatFailsHalfWayLeavesThePreviousFile()
    {
        string path = Path.Combine(dir, "model.ckpt");
        using var good = Mlp.Create(MlpConfig.Kaiming, 27, 3).Model;
        Checkpoint.Save(good, path);
        byte[] saved = File.ReadAllBytes(path);

        var gone = torch.randn(3, 3);
        gone.Dispose();                                               // a tensor that can no longer be read
        var broken = new Model([.. good.Parameters, gone], x => x);
        Assert.ThrowsAny<Exception>(() => Checkpoint.Save(broken, path));
        Assert.Equal(saved, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir));               // no temporary file left behind
    }
}
