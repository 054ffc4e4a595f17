using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;
using Linear = Makemore.Layers.Linear;
using BatchNorm1d = Makemore.Layers.BatchNorm1d;

namespace Makemore.Tests;

/// <summary>
/// The differences notebook 14 claims between torch.nn's layers (TorchSharp's built-ins, the oracle for what PyTorch's
/// layers do) and the lecture's hand-written ones (lib/Makemore/Layers, Part1): each claim against a formula computed
/// by hand from TorchSharp's own mean/var.
/// </summary>
[Collection(InProcessTorch.Name)]
public class TorchNnTests
{
    public TorchNnTests() => torch.set_num_threads(1);

    static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>A (32, 100) batch with a different mean and scale per unit, like a Linear layer's pre-activations.</summary>
    static Tensor Batch(ulong seed)
    {
        var g = new Generator(seed);
        return randn(32, 100, generator: g) * (rand(100, generator: g) * 3 + 0.1) + randn(100, generator: g);
    }

    [Fact]
    public void NnBatchNorm1dNormalisesWithTheBiasedVarianceButStoresTheUnbiasedOne()
    {
        using var scope = NewDisposeScope();
        var x = Batch(1);
        var mean = x.mean([0]);
        var varBiased = x.var(0, unbiased: false);
        var varUnbiased = x.var(0, unbiased: true);

        var nnBn = nn.BatchNorm1d(100);   // training mode, momentum 0.1, running 0 / 1
        Tensor output;
        using (no_grad()) output = nnBn.call(x);

        // training output: the biased variance
        Assert.True(MaxDiff(output, (x - mean) / (varBiased + 1e-5).sqrt()) < 1e-5);
        Assert.True(MaxDiff(output, (x - mean) / (varUnbiased + 1e-5).sqrt()) > 1e-2);
        // the buffer: (1 - 0.1) * 1 + 0.1 * the unbiased variance; the mean: 0.1 * the batch mean
        Assert.True(MaxDiff(nnBn.running_var!, 0.9 + 0.1 * varUnbiased) < 1e-5);
        Assert.True(MaxDiff(nnBn.running_var!, 0.9 + 0.1 * varBiased) > 1e-3);
        Assert.True(MaxDiff(nnBn.running_mean!, 0.1 * mean) < 1e-6);
        Assert.Equal(1L, nnBn.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void TheLecturesBatchNorm1dNormalisesWithTheUnbiasedVarianceAndKeepsTheSameBuffersAsTorchNn()
    {
        using var scope = NewDisposeScope();
        var x = Batch(2);
        var ours = new BatchNorm1d(100);
        var nnBn = nn.BatchNorm1d(100);
        Tensor output, nnOutput;
        using (no_grad())
        {
            output = ours.call(x);
            nnOutput = nnBn.call(x);
        }
        var mean = x.mean([0]);
        Assert.True(MaxDiff(output, (x - mean) / (x.var(0, unbiased: true) + 1e-5).sqrt()) < 1e-5);
        // outputs differ by sqrt(32/31) in scale; the running statistics are the same momentum-0.1 update
        Assert.Equal(Math.Sqrt(32.0 / 31), nnOutput.std().item<float>() / output.std().item<float>(), 3);
        Assert.True(MaxDiff(ours.running_mean, nnBn.running_mean!) < 1e-6);
        Assert.True(MaxDiff(ours.running_var, nnBn.running_var!) < 1e-5);
    }

    [Fact]
    public void NnBatchNorm1dWithMomentum0001IsPart1sRunningMeanUpdate()
    {
        using var scope = NewDisposeScope();
        var part1 = new BatchNormLayer(100);   // bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
        var nnBn = nn.BatchNorm1d(100, momentum: 0.001);
        var fast = nn.BatchNorm1d(100);        // part 2's momentum 0.1: a different average
        using (no_grad())
        {
            foreach (ulong seed in new ulong[] { 3, 4, 5 })
            {
                var x = Batch(seed);
                part1.Forward(x, training: true);
                nnBn.call(x);
                fast.call(x);
            }
        }
        Assert.True(MaxDiff(nnBn.running_mean!, part1.bnmean_running.view(100)) < 1e-6);
        Assert.True(MaxDiff(fast.running_mean!, part1.bnmean_running.view(100)) > 1e-2);
    }

    [Fact]
    public void NnLinearStoresOutByInAndDrawsUniformlyWithinOneOverSqrtFanIn()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2147483647);
        var nnLinear = nn.Linear(30, 100);
        var w = nnLinear.weight!;
        var b = nnLinear.bias!;   // on by default, and drawn
        Assert.Equal(new long[] { 100, 30 }, w.shape);   // (out, in); the lecture's is (in, out)
        double bound = 1 / Math.Sqrt(30);
        Assert.True(w.abs().max().item<float>() <= bound);
        Assert.True(w.abs().max().item<float>() > 0.98 * bound);                        // uniform: it fills the range
        Assert.Equal(1 / Math.Sqrt(3 * 30), w.std().item<float>(), 0.03 / Math.Sqrt(90)); // std 1/sqrt(3 fan_in), within 3%
        Assert.True(b.abs().max().item<float>() <= bound && b.abs().max().item<float>() > 0);

        // the same map as the lecture's Linear given the transpose
        var ours = new Linear(30, 100);
        using (no_grad())
        {
            ours.weight.copy_(w.t());
            ours.bias!.copy_(b);
        }
        var x = randn(32, 30);
        using (no_grad())
        {
            Assert.True(MaxDiff(nnLinear.call(x), x.mm(w.t()) + b) < 1e-6);
            Assert.True(MaxDiff(nnLinear.call(x), ours.call(x)) < 1e-6);
        }
    }

    [Fact]
    public void WithoutRunningStatisticsEvalNormalisesWithTheBatch()
    {
        using var scope = NewDisposeScope();
        var x = Batch(6);
        var batchOnly = nn.BatchNorm1d(100, track_running_stats: false);
        var tracking = nn.BatchNorm1d(100);
        Assert.Empty(batchOnly.named_buffers());
        Assert.Empty(nn.BatchNorm1d(100, affine: false).named_parameters());
        using (no_grad())
        {
            var trainOut = batchOnly.call(x);
            batchOnly.eval();
            tracking.eval();
            Assert.True(MaxDiff(batchOnly.call(x), trainOut) < 1e-6);                     // eval = training
            var first = x.narrow(0, 0, 1);
            Assert.True(batchOnly.call(first).abs().max().item<float>() < 1e-3);          // one example: nothing left
            Assert.True(MaxDiff(tracking.call(first)[0], tracking.call(x)[0]) < 1e-6);    // running stats: no batch needed
        }
    }

    [Fact]
    public void TorchSharpsBatchNorm1dTakesABatchOfOneInTrainingAndItsRunningVarBecomesNaN()
    {
        // PyTorch raises "Expected more than 1 value per channel when training"; TorchSharp 0.107 does not.
        using var scope = NewDisposeScope();
        var bn = nn.BatchNorm1d(100);
        using (no_grad()) bn.call(Batch(7).narrow(0, 0, 1));
        Assert.Equal(100L, bn.running_var!.isnan().sum().item<long>());
    }
}
