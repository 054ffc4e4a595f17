using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>Bad input gets an error that names what is wrong, before anything is trained, and a run that fails keeps
/// the model as its last completed step left it, running statistics included.</summary>
[Collection(InProcessTorch.Name)]   // one test sets the progress file's variable, which every run reads
public class BadInputTests
{
    static readonly Dataset Data = Part1TestData.Data;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADivergingBatchNormRunKeepsTheRunningStatisticsOfItsLastGoodStep(bool fast)
    {
        var options = new TrainingOptions(MaxSteps: 50, ConstantLearningRate: 1e38, Label: "too hot", Fast: fast);
        var (model, g) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(model, Data.Xtr, Data.Ytr, g, options, TextWriter.Null));
        int steps = e.Partial.Steps;
        Assert.True(steps > 0, "the first step's loss is finite");

        // A twin trained exactly those steps is where the failed run must have left the model.
        var (twin, g2) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _t = twin;
        Trainer.Train(twin, Data.Xtr, Data.Ytr, g2, options with { MaxSteps = steps }, TextWriter.Null);
        Assert.True(model.bn!.bnmean_running.Exactly(twin.bn!.bnmean_running), "running mean of the last good step");
        Assert.True(model.bn!.bnstd_running.Exactly(twin.bn!.bnstd_running), "running std of the last good step");
        for (int k = 0; k < model.Parameters.Count; k++)
            Assert.True(model.Parameters[k].Exactly(twin.Parameters[k]), $"parameter {k}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADivergingDeepNetKeepsItsLastGoodStateAndNoMismatchedOutputs(bool fast)
    {
        var options = new TrainingOptions(MaxSteps: 50, ConstantLearningRate: 1e38, Fast: fast);
        var net = Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: true));
        var g = new Generator(7);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(net, Data.Xtr, Data.Ytr, g, options, TextWriter.Null));
        // outputs and their gradients together or none: the failed step's outputs do not stand next to older gradients
        Assert.All(net.Layers, layer => Assert.True(layer.Out is null && layer.OutGrad is null, $"{layer.Kind} kept an output"));

        var twin = Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: true));
        Trainer.Train(twin, Data.Xtr, Data.Ytr, new Generator(7), options with { MaxSteps = e.Partial.Steps }, TextWriter.Null);
        var buffers = ((IModel)net).Buffers;
        var twinBuffers = ((IModel)twin).Buffers;
        for (int k = 0; k < buffers.Count; k++) Assert.True(buffers[k].Exactly(twinBuffers[k]), $"running statistic {k}");
        for (int k = 0; k < net.Parameters.Count; k++) Assert.True(net.Parameters[k].Exactly(twin.Parameters[k]), $"parameter {k}");
    }

    [Fact]
    public void ABatchOfOneWithBatchNormIsRefusedBeforeTheFirstStep()
    {
        var (model, g) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var before = model.Parameters.Select(p => p.clone()).ToList();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 5, BatchSize: 1), TextWriter.Null));
        Assert.Contains("BatchSize is 1, but this model has BatchNorm running statistics", e.Message);
        Assert.All(model.Parameters.Zip(before), p => Assert.True(p.First.Exactly(p.Second)));
    }

    [Fact]
    public void TargetsThatDoNotMatchTheContextsAreNamed()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var e = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(model, Data.Xtr, Data.Ydev, g, new TrainingOptions(MaxSteps: 5), TextWriter.Null));
        Assert.Contains("the targets Ytr have shape (22655,): the contexts (182625, 3) need (182625,)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() =>
            Trainer.Train(model, Data.Ytr, Data.Ytr, g, new TrainingOptions(MaxSteps: 5), TextWriter.Null));
        Assert.Contains("the contexts Xtr have shape (182625,)", e2.Message);
    }

    [Fact]
    public void TooFewNamesForTheSplitAreNamed()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("names").FullName, "names.txt");
        File.WriteAllText(path, "emma\nolivia\nava\nisabella\nsophia");
        var e = Assert.Throws<ArgumentException>(() => Dataset.Load(path));
        Assert.Contains("5 name(s) make splits of 4/0/1 (train/dev/test, 80/10/10)", e.Message);
        File.WriteAllText(path, string.Join("\n", Enumerable.Repeat("emma", 9)));
        Assert.Equal(7, Dataset.Load(path).TrainWords.Count);                  // 9 is enough: 7/1/1
    }

    [Fact]
    public void SamplingStopsAtItsLengthCapAndWhenCancelled()
    {
        // A model that never picks '.': every name would go on for ever.
        var never = new Model([], x => torch.tensor(Enumerable.Range(0, 27).Select(i => i == 1 ? 50f : 0f).ToArray()).repeat(x.shape[0], 1));
        var names = Sampler.Sample(never, Data.Vocab, Data.BlockSize, count: 2, maxLength: 30);
        Assert.Equal([new string('a', 30) + "…", new string('a', 30) + "…"], names);

        using var stop = new CancellationTokenSource();
        stop.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Sampler.Sample(never, Data.Vocab, Data.BlockSize, cancellation: stop.Token));
    }

    [Fact]
    public void AProgressFileGetsThePrintedLinesAndAnUnwritableOneDoesNotStopTraining()
    {
        string folder = Directory.CreateTempSubdirectory("progress").FullName;
        try
        {
            // writable: the lecture's printed line and the run's summary, each after the run's label
            string file = Path.Combine(folder, "progress.txt");
            Environment.SetEnvironmentVariable(ProgressFile.Variable, file);
            var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
            using (model)
            {
                var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 3, Label: "progress test"), TextWriter.Null);
                // (the variable is the process's: runs of other test classes may write their own lines meanwhile)
                Assert.Equal(["progress test:       0/      3: 3.3179", $"progress test: {result}"],
                             File.ReadAllLines(file).Where(l => l.StartsWith("progress test: ", StringComparison.Ordinal)));
            }

            // a folder where a file is expected: the write fails, the run goes on to its end
            Environment.SetEnvironmentVariable(ProgressFile.Variable, folder);
            var (model2, g2) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
            using var _m = model2;
            var result2 = Trainer.Train(model2, Data.Xtr, Data.Ytr, g2, new TrainingOptions(MaxSteps: 3), TextWriter.Null);
            Assert.Equal(3, result2.Steps);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ProgressFile.Variable, null);
            Directory.Delete(folder, recursive: true);
        }
    }
}
