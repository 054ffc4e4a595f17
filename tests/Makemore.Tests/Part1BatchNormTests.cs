using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>Part 1's BatchNorm against a small example computed by hand: batch mean, unbiased std, no eps,
/// running estimates 0.999·old + 0.001·batch.</summary>
[Collection(InProcessTorch.Name)]
public class Part1BatchNormTests
{
    public Part1BatchNormTests() => torch.set_num_threads(1);

    // Two hidden units over a batch of three. Column 0: 1, 3, 5 → mean 3, deviations −2, 0, 2, unbiased variance
    // 8/2 = 4, std 2. Column 1: 2, 6, 10 → mean 6, std 4. Normalised, both columns are −1, 0, 1.
    static Tensor Batch() => tensor(new float[] { 1, 2, 3, 6, 5, 10 }, [3, 2]);

    [Fact]
    public void TrainingNormalisesWithTheBatchMeanAndUnbiasedStd()
    {
        using var layer = new BatchNormLayer(2);
        using (no_grad())
        {
            layer.bngain.copy_(tensor(new float[] { 2, 3 }, [1, 2]));
            layer.bnbias.copy_(tensor(new float[] { 0.5f, -1 }, [1, 2]));
        }
        var output = layer.Forward(Batch(), training: true);
        // gain · x̂ + bias: column 0 is 2·(−1, 0, 1) + 0.5, column 1 is 3·(−1, 0, 1) − 1.
        Assert.Equal(new[] { -1.5f, -4f, 0.5f, -1f, 2.5f, 2f }, output.data<float>().ToArray(), new FloatTolerance(1e-6f));

        var stats = BatchNormLayer.BatchStatistics(Batch());
        Assert.Equal(new[] { 3f, 6f }, stats.Mean.data<float>().ToArray());
        Assert.Equal(new[] { 2f, 4f }, stats.Std.data<float>().ToArray());
    }

    [Fact]
    public void RunningEstimatesMoveATenthOfAPercentTowardsTheBatch()
    {
        using var layer = new BatchNormLayer(2);
        layer.Forward(Batch(), training: true);
        // 0.999·0 + 0.001·(3, 6) and 0.999·1 + 0.001·(2, 4)
        Assert.Equal(new[] { 0.003f, 0.006f }, layer.bnmean_running.data<float>().ToArray(), new FloatTolerance(1e-7f));
        Assert.Equal(new[] { 1.001f, 1.003f }, layer.bnstd_running.data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.False(layer.bnmean_running.requires_grad);
        Assert.Equal(new long[] { 1, 2 }, layer.bnmean_running.shape);
    }

    [Fact]
    public void EvaluationUsesTheRunningEstimates()
    {
        using var layer = new BatchNormLayer(2);
        layer.Forward(Batch(), training: true);
        var output = layer.Forward(tensor(new float[] { 1, 2 }, [1, 2]), training: false);
        Assert.Equal(new[] { (1 - 0.003f) / 1.001f, (2 - 0.006f) / 1.003f }, output.data<float>().ToArray(),
                     new FloatTolerance(1e-6f));
        // Evaluation does not touch the running estimates.
        Assert.Equal(new[] { 0.003f, 0.006f }, layer.bnmean_running.data<float>().ToArray(), new FloatTolerance(1e-7f));
    }

    [Fact]
    public void BuffersAndParametersAreRegistered()
    {
        using var layer = new BatchNormLayer(2);
        Assert.Equal(new[] { "bngain", "bnbias" }, layer.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(new[] { "bnmean_running", "bnstd_running" }, layer.named_buffers().Select(b => b.name).ToArray());
    }

    [Fact]
    public void GradientFlowsIntoGainAndBiasAndThroughTheBatchStatistics()
    {
        using var layer = new BatchNormLayer(2);
        using (no_grad())
        {
            layer.bngain.copy_(tensor(new float[] { 2, 3 }, [1, 2]));
            layer.bnbias.copy_(tensor(new float[] { 0.5f, -1 }, [1, 2]));
        }
        var x = Batch().requires_grad_();
        layer.Forward(x, training: true).pow(3).sum().backward();
        // By hand, with x̂ = (−1, 0, 1) in both columns. y = 2x̂ + 0.5 = (−1.5, 0.5, 2.5) and 3x̂ − 1 = (−4, −1, 2);
        // dL/dy = 3y² = (6.75, 0.75, 18.75) and (48, 3, 12).
        // bnbias: Σ dL/dy = 26.25 and 63. bngain: Σ dL/dy · x̂ = −6.75 + 18.75 = 12 and −48 + 12 = −36.
        Assert.Equal(new[] { 12f, -36f }, layer.bngain.grad!.data<float>().ToArray(), new FloatTolerance(1e-5f));
        Assert.Equal(new[] { 26.25f, 63f }, layer.bnbias.grad!.data<float>().ToArray(), new FloatTolerance(1e-5f));
        // Through the batch mean and the unbiased std (σ = 2 and 4, n = 3):
        // dL/dx = gain/σ · (dL/dy − mean(dL/dy) − x̂ · Σ(dL/dy · x̂)/(n − 1))
        //   column 0: 2/2 · (6.75 − 8.75 + 6, 0.75 − 8.75, 18.75 − 8.75 − 6) = (4, −8, 4)
        //   column 1: 3/4 · (48 − 21 − 18, 3 − 21, 12 − 21 + 18)          = (6.75, −13.5, 6.75)
        Assert.Equal(new[] { 4f, 6.75f, -8f, -13.5f, 4f, 6.75f }, x.grad!.data<float>().ToArray(), new FloatTolerance(1e-5f));
        // so shifting a whole column does not change a normalised output: the gradient of each column sums to 0.
        Assert.Equal(new[] { 0f, 0f }, x.grad!.sum([0]).data<float>().ToArray(), new FloatTolerance(1e-5f));
    }
}
