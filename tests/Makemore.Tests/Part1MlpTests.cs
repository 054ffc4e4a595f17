using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>The part-1 MLP draws the lecture's parameters and batches, in the lecture's order, and prints the
/// lecture's step-0 losses.</summary>
[Collection(InProcessTorch.Name)]
public class Part1MlpTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    [Theory]
    [InlineData(0, 11897)]
    [InlineData(1, 11897)]
    [InlineData(2, 11897)]
    [InlineData(3, 11897)]
    [InlineData(4, 12097)]
    public void ParameterCountIsTheLectures(int stage, long expected)
    {
        var (model, _) = Mlp.Create(MlpConfig.Stages[stage], Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void ParametersAreListedInTheLecturesOrder()
    {
        using var plain = Mlp.Create(MlpConfig.Starter, 27, 3).Model;
        Assert.Equal(new long[][] { [27, 10], [30, 200], [200], [200, 27], [27] },
                     plain.Parameters.Select(p => p.shape).ToArray());
        using var bn = Mlp.Create(MlpConfig.BatchNorm, 27, 3).Model;
        Assert.Null(bn.b1);
        Assert.Equal(new long[][] { [27, 10], [30, 200], [200, 27], [27], [1, 200], [1, 200] },
                     bn.Parameters.Select(p => p.shape).ToArray());
        Assert.Same(bn.bn!.bngain, bn.Parameters[4]);
        Assert.Same(bn.bn!.bnbias, bn.Parameters[5]);
    }

    [Fact]
    public void StarterParametersAreTheGeneratorsDrawsInOrder()
    {
        var g = new Generator(2147483647UL);
        using var scope = NewDisposeScope();
        var expected = new[] { randn([27, 10], generator: g), randn([30, 200], generator: g), randn([200], generator: g),
                               randn([200, 27], generator: g), randn([27], generator: g) };
        using var model = Mlp.Create(MlpConfig.Starter, 27, 3).Model;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(model.Parameters[i].Exactly(expected[i]), $"parameter {i} differs from draw {i}");
        // C's first values as PyTorch draws them with this seed (TorchSharp's generator is PyTorch's)
        Assert.Equal(new[] { 1.56736195f, -0.23729232f, -0.02738461f, -1.10077941f, 0.28588146f },
                     model.C.reshape(-1).data<float>().Take(5).ToArray(), new FloatTolerance(1e-7f));
    }

    [Fact]
    public void BatchNormStageScalesItsDrawsAndSkipsB1()
    {
        var g = new Generator(2147483647UL);
        using var scope = NewDisposeScope();
        var C = randn([27, 10], generator: g);
        var W1 = randn([30, 200], generator: g) * (5.0 / 3) / Math.Sqrt(30);   // the lecture's expression
        var W2 = randn([200, 27], generator: g) * 0.01;                         // b1 is not drawn at all
        var b2 = randn([27], generator: g) * 0;
        using var model = Mlp.Create(MlpConfig.BatchNorm, 27, 3).Model;
        Assert.True(model.C.Exactly(C));
        Assert.True(model.W1.Exactly(W1));
        Assert.True(model.W2.Exactly(W2));
        Assert.True(model.b2.Exactly(b2));
        Assert.True(model.bn!.bngain.Exactly(ones(1, 200)));
        Assert.True(model.bn.bnbias.Exactly(zeros(1, 200)));
        Assert.True(model.bn.bnmean_running.Exactly(zeros(1, 200)));
        Assert.True(model.bn.bnstd_running.Exactly(ones(1, 200)));
    }

    [Fact]
    public void FirstMinibatchIsTheNextDrawAfterTheParameters()
    {
        // What the generator gives after the five parameter draws.
        var g = new Generator(2147483647UL);
        using var scope = NewDisposeScope();
        foreach (long[] shape in new long[][] { [27, 10], [30, 200], [200], [200, 27], [27] }) randn(shape, generator: g);
        var expectedIx = randint(0, Data.Xtr.shape[0], [32], dtype: ScalarType.Int64, generator: g);
        var expectedSecondIx = randint(0, Data.Xtr.shape[0], [32], dtype: ScalarType.Int64, generator: g);

        // The training loop's first batch, seen by a model that records what it is given.
        var (model, tg) = Mlp.Create(MlpConfig.Starter, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var recorder = new RecordingModel(model);
        Trainer.Train(recorder, Data.Xtr, Data.Ytr, tg, new TrainingOptions(MaxSteps: 2, Label: "test"), TextWriter.Null);
        Assert.True(recorder.Batches[0].Exactly(Data.Xtr[expectedIx]), "first minibatch");
        Assert.True(recorder.Batches[1].Exactly(Data.Xtr[expectedSecondIx]), "second minibatch");

        // The first-step probe looks at the same batch.
        var (probed, pg) = Mlp.Create(MlpConfig.Starter, Data.Vocab.Size, Data.BlockSize);
        using var _p = probed;
        Assert.True(Trainer.FirstStep(probed, Data.Xtr, Data.Ytr, pg).Xb.Exactly(Data.Xtr[expectedIx]));
    }

    [Theory]
    [InlineData(0, "27.8817")]
    [InlineData(4, "3.3239")]
    public void StepZeroPrintsTheLecturesLoss(int stage, string printed)
    {
        var config = MlpConfig.Stages[stage];
        var (model, g) = Mlp.Create(config, Data.Vocab.Size, Data.BlockSize);
        using var _m = model;
        var log = new StringWriter();
        Trainer.Train(model, Data.Xtr, Data.Ytr, g, new TrainingOptions(StopAfter: 0, Label: "test"), log);
        Assert.Equal($"      0/ 200000: {printed}", log.ToString().Split('\n')[0].TrimEnd('\r'));
        // The first-step probe computes the same loss without training.
        var (probed, pg) = Mlp.Create(config, Data.Vocab.Size, Data.BlockSize);
        using var _p = probed;
        Assert.Equal(printed, Trainer.FirstStep(probed, Data.Xtr, Data.Ytr, pg).Loss.ToString("F4", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheStartersTanhIsSaturatedAtInitAndTheFixedOneIsNot()
    {
        double SaturatedFraction(MlpConfig config, out long dead)
        {
            var (model, g) = Mlp.Create(config, Data.Vocab.Size, Data.BlockSize);
            using var _m = model;
            using var scope = NewDisposeScope();
            var h = model.Trace(Trainer.FirstStep(model, Data.Xtr, Data.Ytr, g).Xb, training: true).H;
            var saturated = h.abs() > 0.99;
            dead = saturated.all(0).sum().item<long>();
            return saturated.to(float32).mean().item<float>();
        }
        Assert.True(SaturatedFraction(MlpConfig.Starter, out _) > 0.5, "most of the starter's tanh outputs are saturated");
        Assert.True(SaturatedFraction(MlpConfig.FixSaturatedTanh, out long dead) < 0.05);
        Assert.Equal(0, dead);
    }

    [Fact]
    public void TanhsLocalGradientIsOneMinusItsOutputSquared()
    {
        // by hand: 1 − 0.99² = 1 − 0.9801 = 0.0199
        Assert.Equal(0.0199f, Saturation.TanhLocalGradient(0.99f), 1e-6f);
        // the whole curve against TorchSharp: torch.tanh, and autograd's derivative of tanh at each x
        var (x, t, grad) = Saturation.TanhCurve();
        Assert.Equal(161, x.Length);
        Assert.Equal(-4f, x[0]);
        Assert.Equal(4f, x[^1]);
        using var scope = NewDisposeScope();
        var xs = tensor(x).requires_grad_(true);
        var ts = xs.tanh();
        ts.sum().backward();
        Assert.Equal(ts.detach().data<float>().ToArray(), t, new FloatTolerance(1e-6f));
        Assert.Equal(xs.grad!.data<float>().ToArray(), grad, new FloatTolerance(1e-6f));
    }

    sealed class RecordingModel(IModel inner) : IModel
    {
        public List<Tensor> Batches { get; } = [];
        public IReadOnlyList<Tensor> Parameters => inner.Parameters;
        public Tensor Forward(Tensor x, bool training)
        {
            Batches.Add(x.clone().DetachFromDisposeScope());
            return inner.Forward(x, training);
        }
    }
}
