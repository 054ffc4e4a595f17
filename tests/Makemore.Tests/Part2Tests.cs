using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;
using Linear = Makemore.Layers.Linear;
using BatchNorm1d = Makemore.Layers.BatchNorm1d;
using Ref = Makemore.Reference.LectureRuns;

namespace Makemore.Tests;

/// <summary>The deep net of part 2 against the lecture: its build, its parameter counts, its printed losses, and the
/// published outputs of the lecture's last run.</summary>
[Collection(InProcessTorch.Name)]
public class Part2Tests
{
    static readonly Lazy<Dataset> Data = new(() => Dataset.Load(Dataset.FindDataFile()));

    public Part2Tests() => torch.set_num_threads(1);

    static float[] Values(Tensor t) => t.detach().contiguous().to(float32).data<float>().ToArray();

    [Fact]
    public void ParameterCountsAreTheLectures()
    {
        Assert.Equal(Ref.ParameterCountWithoutBatchNorm, Network.Create(new Generator(2147483647)).ParameterCount);
        Assert.Equal(Ref.ParameterCountWithBatchNorm,
                     Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: true)).ParameterCount);
        Assert.Equal(46497, Network.Create(new Generator(1), new NetworkOptions(Tanh: false)).ParameterCount);
    }

    [Fact]
    public void ParametersAreCFirstThenEachLayersInOrder()
    {
        var net = Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: true));
        var shapes = net.Parameters.Select(p => string.Join("x", p.shape)).ToArray();
        Assert.Equal(["27x10", "30x100", "100", "100", "100x100", "100", "100"], shapes[..7]);
        Assert.Equal(["100x27", "27", "27"], shapes[^3..]);
        Assert.Equal(1 + 6 * 3, shapes.Length);
        Assert.Equal(["Linear", "BatchNorm1d", "Tanh"], net.Layers.Take(3).Select(l => l.Kind));
        Assert.Equal(17, net.Layers.Count);

        var plain = Network.Create(new Generator(2147483647));
        Assert.Equal(["27x10", "30x100", "100", "100x100", "100"], plain.Parameters.Take(5).Select(p => string.Join("x", p.shape)));
        Assert.Equal(11, plain.Layers.Count);
    }

    [Fact]
    public void CIsDrawnFirstFromTheSharedGenerator()
    {
        var net = Network.Create(new Generator(2147483647));
        float[] c = Values(net.C.reshape(-1))[..5];
        Assert.Equal(new[] { 1.56736195f, -0.23729232f, -0.02738461f, -1.10077941f, 0.28588146f }, c, new FloatTolerance(1e-7f));
    }

    /// <summary>The init tweaks, redrawn by hand in the lecture's order: every Linear weight is randn/√fan_in; the
    /// last layer is made less confident (×0.1 on its weight, or on the last BatchNorm's gamma); every Linear in
    /// layers[:-1] is multiplied by the gain, which with BatchNorm includes the output Linear.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InitTweaksFollowTheLecture(bool batchNorm)
    {
        const double gain = 5.0 / 3;
        var net = Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: batchNorm, Gain: gain));
        var g = new Generator(2147483647);
        using (randn(27, 10, generator: g)) { }                                   // C
        var linears = net.Layers.OfType<Linear>().ToList();
        Assert.Equal(6, linears.Count);
        for (int i = 0; i < linears.Count; i++)
        {
            var l = linears[i];
            using var w = randn(l.FanIn, l.FanOut, generator: g) / Math.Sqrt(l.FanIn);
            bool last = i == linears.Count - 1;
            using var expected = !last ? w * gain : batchNorm ? w * gain : w * 0.1;
            Assert.Equal(Values(expected), Values(l.weight));                     // bit for bit
        }
        if (batchNorm)
        {
            var bns = net.Layers.OfType<BatchNorm1d>().ToList();
            Assert.All(Values(bns[^1].gamma), v => Assert.Equal(0.1f, v));
            Assert.All(Values(bns[0].gamma), v => Assert.Equal(1f, v));
            Assert.All(linears, l => Assert.Null(l.bias));
        }
    }

    // The lecture's part-2 loop with its `break` after step `stopAfter`, on a net built from a fresh generator.
    static (Network Net, TrainingResult Result) RunTo(NetworkOptions options, int stopAfter)
    {
        var g = new Generator(LectureSettings.Seed);
        var net = Network.Create(g, options);
        return (net, Trainer.Train(net, Data.Value.Xtr, Data.Value.Ytr, g, TrainingOptions.BreakAfter(stopAfter), TextWriter.Null));
    }

    static string FirstLine(NetworkOptions options)
    {
        var g = new Generator(LectureSettings.Seed);
        var net = Network.Create(g, options);
        var log = new StringWriter();
        Trainer.Train(net, Data.Value.Xtr, Data.Value.Ytr, g,
                      new TrainingOptions(LearningRateDecayStep: LectureSettings.Part2DecayStep, StopAfter: 0), log);
        return log.ToString().Split('\n')[0];
    }

    [Theory]
    [InlineData(5.0 / 3)]
    [InlineData(1.0)]
    [InlineData(0.2)]
    public void DeepBatchNormNetPrints3Point2870AtStepZeroWhateverTheGain(double gain) =>
        Assert.Equal(Ref.StepZeroWithBatchNorm, FirstLine(new NetworkOptions(BatchNorm: true, Gain: gain)));

    [Fact]
    public void NetsWithoutBatchNormPrintTheLecturesFirstLoss()
    {
        Assert.Equal(Ref.StepZeroGain5Over3, FirstLine(new NetworkOptions()));
        Assert.Equal(Ref.StepZeroGain1, FirstLine(new NetworkOptions(Gain: 1)));
        Assert.Equal(Ref.StepZeroGain05, FirstLine(new NetworkOptions(Gain: 0.5)));
        Assert.Equal(Ref.StepZeroLinearGain05, FirstLine(new NetworkOptions(Gain: 0.5, Tanh: false)));
    }

    [Fact]
    public void DiagnosticTablesAtInitAreTheLecturesDigitForDigit()
    {
        var run = RunTo(new NetworkOptions(), 0);
        Assert.Equal(1, run.Result.Steps);
        Assert.Equal(Ref.Gain5Over3ActivationsAtInit, Diagnose.ForwardActivations(run.Net.Layers).Select(r => r.ToString()));
        Assert.Equal(Ref.Gain5Over3GradientsAtInit, Diagnose.BackwardGradients(run.Net.Layers).Select(r => r.ToString()));

        var linear = RunTo(new NetworkOptions(Gain: 0.5, Tanh: false), 0);
        Assert.Equal(Ref.LinearGain05ActivationsAtInit, Diagnose.ForwardActivations(linear.Net.Layers).Select(r => r.ToString()));
        Assert.Equal(Ref.LinearGain05GradientsAtInit, Diagnose.BackwardGradients(linear.Net.Layers).Select(r => r.ToString()));
    }

    /// <summary>The lecture notebook's last run: BatchNorm, gain 1.0, 1001 updates, then eval mode. Its printed val
    /// loss and its 20 samples come out identical. (The train loss is checked by notebook 11: evaluating the deep
    /// net on all 182625 training contexts needs a few GB.)</summary>
    [Fact]
    public void TheLecturesLastRunIsReproduced()
    {
        var run = RunTo(new NetworkOptions(BatchNorm: true, Gain: 1.0), 1000);
        Assert.Equal(1001, run.Result.Steps);
        Assert.Equal(Ref.BatchNormActivations, Diagnose.ForwardActivations(run.Net.Layers).Select(r => r.ToString()));
        // viz #2 and #3 against the stored notebook's cells 16 and 17: each line the same, or apart only in its last
        // printed digits or the sign of a zero (float32 sums in another order after 1000 steps)
        foreach (var (ours, stored) in new[] { (Diagnose.BackwardGradients(run.Net.Layers).Select(r => r.ToString()).ToList(), Ref.BatchNormGradients),
                                               (Diagnose.WeightGradients(run.Net.Parameters).Select(r => r.ToString()).ToList(), Ref.BatchNormWeightGradients) })
        {
            Assert.Equal(stored.Length, ours.Count);
            Assert.All(ours.Zip(stored), p => Assert.True(p.First == p.Second || LectureComparison.OnlyRounding(p.First, p.Second),
                                                          $"{p.First}\n  against the lecture's {p.Second}"));
        }
        Assert.Equal(Ref.BatchNormValLoss, Evaluation.Line("val", Evaluation.SplitLoss(run.Net, Data.Value.Xdev, Data.Value.Ydev)));
        Assert.Equal(Ref.BatchNormSamples, Sampler.Sample(run.Net, Data.Value.Vocab, Data.Value.BlockSize, 20));
    }

    [Fact]
    public void SaveAndLoadKeepTheRunningStatistics()
    {
        var g = new Generator(LectureSettings.Seed);
        var net = Network.Create(g, new NetworkOptions(BatchNorm: true));
        Trainer.Train(net, Data.Value.Xtr, Data.Value.Ytr, g, new TrainingOptions(StopAfter: 20), TextWriter.Null);
        var bn = net.Layers.OfType<BatchNorm1d>().First();
        Assert.NotEqual(0f, Values(bn.running_mean).Select(Math.Abs).Max());      // training moved them

        string path = Path.Combine(Path.GetTempPath(), $"deepnet-{Guid.NewGuid():N}.bin");
        try
        {
            net.save(path);
            var copy = Network.Create(new Generator(7), new NetworkOptions(BatchNorm: true));
            copy.load(path);
            var copyBn = copy.Layers.OfType<BatchNorm1d>().First();
            Assert.Equal(Values(bn.running_mean), Values(copyBn.running_mean));
            Assert.Equal(Values(bn.running_var), Values(copyBn.running_var));
            Assert.Equal(Values(net.C), Values(copy.C));
            using var x = Data.Value.Xdev[..50];
            using (no_grad())
            {
                using var a = net.Forward(x, training: false);
                using var b = copy.Forward(x, training: false);
                Assert.Equal(Values(a), Values(b));
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EvalModeReachesEveryBatchNorm()
    {
        var net = Network.Create(new Generator(1), new NetworkOptions(BatchNorm: true));
        using var x = Data.Value.Xdev[..8];
        using (no_grad()) net.Forward(x, training: false).Dispose();
        Assert.All(net.Layers, l => Assert.False(l.training));
        using (no_grad()) net.Forward(x, training: true).Dispose();
        Assert.All(net.Layers, l => Assert.True(l.training));
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Network.Create(new Generator(1), new NetworkOptions(NHidden: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Network.Create(new Generator(1), new NetworkOptions(Gain: double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(Network.Create(new Generator(1)), Data.Value.Xtr,
            Data.Value.Ytr, new Generator(1), new TrainingOptions(ConstantLearningRate: -1), TextWriter.Null));
        Assert.Equal("5 hidden layers of 100, with BatchNorm, tanh, gain 5/3", new NetworkOptions(BatchNorm: true).ToString());
    }

    [Fact]
    public void AConstantLearningRateReplacesTheDecay()
    {
        var options = new TrainingOptions(LearningRateDecayStep: 150_000, ConstantLearningRate: 0.001);
        Assert.Equal(0.001, options.LearningRate(0));
        Assert.Equal(0.001, options.LearningRate(199_999));
        var decay = new TrainingOptions(LearningRateDecayStep: 150_000);
        Assert.Equal(0.1, decay.LearningRate(149_999));
        Assert.Equal(0.01, decay.LearningRate(150_000));
    }
}
