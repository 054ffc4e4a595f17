using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;
using Linear = Makemore.Layers.Linear;
using BatchNorm1d = Makemore.Layers.BatchNorm1d;
using Tanh = Makemore.Layers.Tanh;

namespace Makemore.Tests;

/// <summary>The lecture's Linear, BatchNorm1d and Tanh layers against hand-computed values and TorchSharp's own ops.</summary>
[Collection(InProcessTorch.Name)]
public class LayerTests
{
    public LayerTests() => torch.set_num_threads(1);

    static float[] Values(Tensor t) => t.detach().contiguous().to(float32).data<float>().ToArray();

    /// <summary>Same shape and bit-identical values.</summary>
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && Values(a).SequenceEqual(Values(b));

    [Fact]
    public void LinearDrawsItsWeightInOutShapeOverSqrtFanIn()
    {
        var linear = new Linear(30, 100, bias: true, generator: new Generator(2147483647));
        Assert.Equal(new long[] { 30, 100 }, linear.weight.shape);   // (in, out), unlike torch.nn.Linear
        using var expected = randn(30, 100, generator: new Generator(2147483647)) / Math.Sqrt(30);
        Assert.True(Same(linear.weight, expected));                  // bit for bit
        Assert.Equal(new float[100], Values(linear.bias!));           // zeros, not drawn
        Assert.Equal(2, linear.Parameters.Count);
        Assert.Single(new Linear(30, 100, bias: false).Parameters);
    }

    [Fact]
    public void LinearForwardIsXTimesWeightPlusBiasByHand()
    {
        var linear = new Linear(2, 2);
        using (no_grad())
        {
            linear.weight.copy_(tensor(new float[] { 1, 2, 3, 4 }, [2, 2]));
            linear.bias!.copy_(tensor(new float[] { 0.5f, -1 }));
        }
        using var y = linear.call(tensor(new float[] { 1, 1, 2, 0 }, [2, 2]));
        // [1,1]·W = [4, 6] + b = [4.5, 5]; [2,0]·W = [2, 4] + b = [2.5, 3]
        Assert.Equal(new[] { 4.5f, 5f, 2.5f, 3f }, Values(y));
    }

    [Fact]
    public void BatchNormTrainingByHand()
    {
        var bn = new BatchNorm1d(2, eps: 0);
        bn.train(true);
        using var y = bn.call(tensor(new float[] { 1, 2, 3, 6 }, [2, 2]));
        // mean [2, 4]; unbiased var [(1+1)/1, (4+4)/1] = [2, 8]; x̂ = ±1/√2 and ±2/√8 = ±0.7071
        float h = (float)(1 / Math.Sqrt(2));
        Assert.Equal(new[] { -h, -h, h, h }, Values(y), new FloatTolerance(1e-6f));
        // running = 0.9·running + 0.1·batch: mean 0.9·0 + 0.1·[2, 4], var 0.9·1 + 0.1·[2, 8]
        Assert.Equal(new[] { 0.2f, 0.4f }, Values(bn.running_mean), new FloatTolerance(1e-6f));
        Assert.Equal(new[] { 1.1f, 1.7f }, Values(bn.running_var), new FloatTolerance(1e-6f));
        Assert.Equal(new long[] { 2 }, bn.running_mean.shape);        // updated in place, still [dim]
    }

    /// <summary>The running statistics are moved in their own memory (Floats.Axpby), not with tensor ops: over many
    /// steps and momenta they must stay bit for bit the lecture's <c>(1 - momentum) * running + momentum * batch</c>,
    /// written as tensor ops.</summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.001)]
    [InlineData(0.37)]
    public void BatchNormRunningStatisticsAreTheLecturesTensorArithmeticToTheBit(double momentum)
    {
        var bn = new BatchNorm1d(37, momentum: momentum);
        var g = new Generator(5);
        using var mean = zeros(1, 37);
        using var variance = ones(1, 37);
        for (int step = 0; step < 50; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(32, 37, generator: g) * (step % 7 + 1) + step;
            bn.call(x);
            using var _ = no_grad();
            var xmean = x.mean([0], keepdim: true);
            var xvar = x.var(0, unbiased: true, keepdim: true);
            mean.copy_((1 - momentum) * mean + momentum * xmean);
            variance.copy_((1 - momentum) * variance + momentum * xvar);
        }
        Assert.True(bn.running_mean.bytes.SequenceEqual(mean.bytes), "running_mean");
        Assert.True(bn.running_var.bytes.SequenceEqual(variance.bytes), "running_var");
    }

    [Fact]
    public void BatchNormGammaAndBetaScaleAndShift()
    {
        var bn = new BatchNorm1d(2, eps: 0);
        using (no_grad()) { bn.gamma.copy_(tensor(new float[] { 2, 3 })); bn.beta.copy_(tensor(new float[] { 1, -1 })); }
        using var y = bn.call(tensor(new float[] { 1, 2, 3, 6 }, [2, 2]));
        float h = (float)(1 / Math.Sqrt(2));
        Assert.Equal(new[] { 1 - 2 * h, -1 - 3 * h, 1 + 2 * h, -1 + 3 * h }, Values(y), new FloatTolerance(1e-6f));
    }

    /// <summary>
    /// torch.nn.functional.batch_norm normalises a training batch with the <b>biased</b> variance (÷n) but moves its
    /// running variance with the unbiased one (÷(n−1)); the lecture normalises with the unbiased variance too. So with
    /// eps = 0 the lecture's output is F.batch_norm's times √((n−1)/n), and the running statistics are the same.
    /// </summary>
    [Fact]
    public void BatchNormMatchesFunctionalBatchNormUpToTheUnbiasedCorrection()
    {
        const int n = 32, dim = 100;
        using var x = randn(n, dim, generator: new Generator(42)) * 3 + 1;
        var bn = new BatchNorm1d(dim, eps: 0, momentum: 0.1);
        using var ours = bn.call(x);

        using var runningMean = zeros(dim);
        using var runningVar = ones(dim);
        using var theirs = nn.functional.batch_norm(x, runningMean, runningVar, training: true, momentum: 0.1, eps: 0);
        using var corrected = theirs * Math.Sqrt((n - 1.0) / n);

        Assert.True(ours.allclose(corrected, rtol: 1e-5, atol: 1e-5));
        Assert.False(ours.allclose(theirs, rtol: 1e-5, atol: 1e-5));   // the difference is real
        Assert.True(bn.running_mean.allclose(runningMean, rtol: 1e-5, atol: 1e-6));
        Assert.True(bn.running_var.allclose(runningVar, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void BatchNormEvaluationUsesTheRunningStatisticsAndLeavesThemAlone()
    {
        var bn = new BatchNorm1d(4);
        using var batch = randn(16, 4, generator: new Generator(1)) * 2 + 5;
        using (bn.call(batch)) { }                                     // one training step moves the running stats
        bn.train(false);
        using var meanBefore = bn.running_mean.clone();
        using var varBefore = bn.running_var.clone();
        using var x = randn(8, 4, generator: new Generator(2));
        using var ours = bn.call(x);
        using var theirs = nn.functional.batch_norm(x, bn.running_mean.clone(), bn.running_var.clone(),
                                                    bn.gamma, bn.beta, training: false, eps: 1e-5);
        Assert.True(ours.allclose(theirs, rtol: 1e-6, atol: 1e-6));
        Assert.True(Same(bn.running_mean, meanBefore));
        Assert.True(Same(bn.running_var, varBefore));
    }

    [Fact]
    public void TanhIsTorchTanhWithoutParameters()
    {
        var layer = new Tanh();
        using var x = randn(5, 7, generator: new Generator(3));
        using var y = layer.call(x);
        Assert.True(Same(y, x.tanh()));
        Assert.Empty(layer.Parameters);
    }

    [Fact]
    public void RunningStatisticsAreBuffersAndTheKeptOutputIsNot()
    {
        var bn = new BatchNorm1d(3);
        var keys = bn.state_dict().Keys.ToHashSet();
        Assert.Equal(new HashSet<string> { "gamma", "beta", "running_mean", "running_var" }, keys);
        Assert.Equal(2, bn.parameters().Count());                   // gamma and beta train; the running stats do not
        var linear = new Linear(3, 2, bias: false);
        Assert.Equal(new HashSet<string> { "weight" }, linear.state_dict().Keys.ToHashSet());
    }

    [Fact]
    public void TheLoopKeepsEachOutputAndGradientOnlyWhenAsked()
    {
        var linear = new Linear(3, 2, generator: new Generator(5)) { RetainOutput = true };
        var tanh = new Tanh();                                       // not asked
        using var x = randn(4, 3, generator: new Generator(6));
        using var scope = NewDisposeScope();
        var y = Layer.Run([linear, tanh], x.requires_grad_(true));
        y.sum().backward();
        linear.SnapshotOutput();
        tanh.SnapshotOutput();
        Assert.NotNull(linear.Out);
        var h = linear.call(x).detach();
        Assert.True(Same(linear.Out!, h));
        // d(sum tanh h)/dh = 1 − tanh(h)²
        Assert.True(linear.OutGrad!.allclose(1 - h.tanh().pow(2), rtol: 1e-6, atol: 1e-6));
        Assert.Null(tanh.Out);
        Assert.Null(tanh.OutGrad);
        linear.ReleaseOutput();
        Assert.Null(linear.Out);
    }
}
