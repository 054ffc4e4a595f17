using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// The library's training loop against a literal transcription of the lecture's loop (the oracle below): whatever
/// the library does to be fast, the minibatches, losses, <c>ud</c> and parameters must come out bit-identical.
/// </summary>
[Collection(InProcessTorch.Name)]
public class TrainerTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;
    const int Steps = 30;

    // The lecture, line by line (no dispose scopes: 30 steps are fine for the finalizers).
    internal static (List<float> Lossi, List<float[]> Ud) LectureLoop(IModel model, Generator g, int steps, int decayStep, bool ud)
    {
        var lossi = new List<float>();
        var uds = new List<float[]>();
        var parameters = model.Parameters;
        for (int i = 0; i < steps; i++)
        {
            var ix = randint(0, Data.Xtr.shape[0], [32], dtype: ScalarType.Int64, generator: g);
            var (Xb, Yb) = (Data.Xtr[ix], Data.Ytr[ix]);
            var loss = nn.functional.cross_entropy(model.Forward(Xb, training: true), Yb);
            foreach (var p in parameters) p.grad = null;
            loss.backward();
            model.AfterBackward();
            double lr = i < decayStep ? 0.1 : 0.01;
            using (no_grad())
                foreach (var p in parameters) p.add_(-lr * p.grad!);
            lossi.Add(loss.log10().item<float>());
            if (ud)
                using (no_grad())
                    uds.Add(parameters.Select(p => ((lr * p.grad!).std() / p.std()).log10().item<float>()).ToArray());
        }
        return (lossi, uds);
    }

    static void AssertSameRun(IModel a, IModel b, (List<float> Lossi, List<float[]> Ud) expected, TrainingResult actual)
    {
        Assert.Equal(expected.Lossi, actual.Lossi);
        Assert.Equal(expected.Ud.Count, actual.Ud.Count);
        for (int i = 0; i < expected.Ud.Count; i++)
            Assert.True(expected.Ud[i].SequenceEqual(actual.Ud[i]), $"ud of step {i}: {string.Join(" ", expected.Ud[i].Select(f => f.ToString("R")))} vs {string.Join(" ", actual.Ud[i].Select(f => f.ToString("R")))}");
        for (int i = 0; i < a.Parameters.Count; i++)
            Assert.True(a.Parameters[i].Exactly(b.Parameters[i]), $"parameter {i} differs after {Steps} steps");
    }

    [Fact]
    public void MlpWithBatchNormTrainsExactlyAsTheLecturesLoop()
    {
        var (oracle, g1) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        var (ours, g2) = Mlp.Create(MlpConfig.BatchNorm, Data.Vocab.Size, Data.BlockSize);
        var expected = LectureLoop(oracle, g1, Steps, 100_000, ud: true);
        var actual = Trainer.Train(ours, Data.Xtr, Data.Ytr, g2,
            new TrainingOptions(MaxSteps: Steps, RecordUpdateRatios: true), TextWriter.Null);
        AssertSameRun(oracle, ours, expected, actual);
        Assert.True(oracle.bn!.bnmean_running.Exactly(ours.bn!.bnmean_running), "running mean differs");
    }

    [Fact]
    public void DeepNetWithDiagnosticsTrainsExactlyAsTheLecturesLoop()
    {
        var oracle = Network.Create(new Generator(2147483647UL), new NetworkOptions(BatchNorm: true));
        var ours = Network.Create(new Generator(2147483647UL), new NetworkOptions(BatchNorm: true));
        // both generators are now past the parameters; the minibatches come from them next
        var g1 = new Generator(7UL);
        var g2 = new Generator(7UL);
        var expected = LectureLoop(oracle, g1, Steps, 150_000, ud: true);
        var actual = Trainer.Train(ours, Data.Xtr, Data.Ytr, g2,
            new TrainingOptions(MaxSteps: Steps, LearningRateDecayStep: 150_000, RecordUpdateRatios: true), TextWriter.Null);
        AssertSameRun(oracle, ours, expected, actual);
        for (int l = 0; l < ours.Layers.Count; l++)
        {
            Assert.True(oracle.Layers[l].Out!.Exactly(ours.Layers[l].Out!), $"output of layer {l}");
            Assert.True(oracle.Layers[l].OutGrad!.Exactly(ours.Layers[l].OutGrad!), $"output gradient of layer {l}");
        }
    }

    // Without diagnostics the update is written into the parameters' own memory (Floats.Axpby) rather than with tensor
    // ops: still the lecture's loop to the bit, on both sides of the learning-rate decay.
    [Fact]
    public void WithoutDiagnosticsTheMlpTrainsExactlyAsTheLecturesLoop()
    {
        var (oracle, g1) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var (ours, g2) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var expected = LectureLoop(oracle, g1, Steps, decayStep: 12, ud: false);
        var actual = Trainer.Train(ours, Data.Xtr, Data.Ytr, g2,
            new TrainingOptions(MaxSteps: Steps, LearningRateDecayStep: 12), TextWriter.Null);
        AssertSameRun(oracle, ours, expected, actual);
        for (int i = 0; i < ours.Parameters.Count; i++)
            Assert.True(oracle.Parameters[i].bytes.SequenceEqual(ours.Parameters[i].bytes), $"parameter {i}'s bytes");
    }

    [Fact]
    public void WithoutDiagnosticsTheDeepNetTrainsExactlyAsTheLecturesLoop()
    {
        var oracle = Network.Create(new Generator(2147483647UL), new NetworkOptions(BatchNorm: true));
        var ours = Network.Create(new Generator(2147483647UL), new NetworkOptions(BatchNorm: true));
        var expected = LectureLoop(oracle, new Generator(7UL), Steps, decayStep: 12, ud: false);
        var actual = Trainer.Train(ours, Data.Xtr, Data.Ytr, new Generator(7UL),
            new TrainingOptions(MaxSteps: Steps, LearningRateDecayStep: 12), TextWriter.Null);
        AssertSameRun(oracle, ours, expected, actual);
        for (int i = 0; i < ours.Buffers.Count; i++)
            Assert.True(oracle.Buffers[i].bytes.SequenceEqual(ours.Buffers[i].bytes), $"buffer {i}");
    }

    [Fact]
    public void LearningRateDecaysAtTheGivenStep()
    {
        var options = new TrainingOptions(LearningRateDecayStep: 3);
        Assert.Equal([0.1, 0.1, 0.1, 0.01], Enumerable.Range(0, 4).Select(options.LearningRate));
        Assert.Equal(0.001, (options with { ConstantLearningRate = 0.001 }).LearningRate(0));
    }

    [Fact]
    public void ADivergingRunStopsNamingTheStepAndKeepsTheLastGoodParameters()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(model, Data.Xtr, Data.Ytr, g,
            new TrainingOptions(MaxSteps: 10, ConstantLearningRate: 1e38, Label: "too hot"), TextWriter.Null));
        int step = e.Partial.Steps;                  // the steps that completed before the loss stopped being a number
        Assert.True(step > 0, "the first step's loss is finite: the init is fine, the learning rate is not");
        Assert.Contains($"at step {step} ", e.Message);
        Assert.Contains("lr 1E+38", e.Message);
        Assert.Contains("too hot", e.Message);
        Assert.All(e.Partial.Lossi, l => Assert.True(float.IsFinite(l)));
        // nothing non-finite reached the parameters: the model is as the last finite step left it
        Assert.All(model.Parameters, p => Assert.False(p.isnan().any().item<bool>() || p.isinf().any().item<bool>()));
    }

    [Fact]
    public void StopAfterTakesOneMoreUpdateThanItsNumber()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(StopAfter: 4), TextWriter.Null);
        Assert.Equal(5, result.Steps);          // the lecture's `if i >= 4: break` comes after the update
    }

    [Fact]
    public void PrintsTheLecturesProgressLine()
    {
        var (model, g) = Mlp.Create(MlpConfig.Starter, Data.Vocab.Size, Data.BlockSize);
        var log = new StringWriter();
        Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 3), log);
        Assert.Equal("      0/      3: 27.8817", log.ToString().TrimEnd());
    }
}
