using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// The lecture's two exercises (notebook 12), held against the library directly: E01, what zero init does to the deep
/// net (which parameters ever get a gradient, whether the units of a hidden layer stay equal), and E02, folding each
/// BatchNorm's running statistics, gamma and beta into the Linear before it.
/// </summary>
[Collection(InProcessTorch.Name)]
public class ExercisesTests
{
    const int Steps = 20;

    // The deep net of notebooks 07 and 11, initialised as the lecture does: hidden Linear weights × 5/3, the last layer
    // less confident (its weight × 0.1, or with BatchNorm the last gamma × 0.1).
    static Network DeepNet(Generator g, bool batchNorm) => NetworkTests.CellNet(g, 5.0 / 3, batchNorm);

    /// <summary>Trains the network and records, per parameter, whether any entry of its gradient was ever non-zero
    /// and the first step at which one was.</summary>
    sealed class GradientWatch(Network net) : IModel
    {
        int step;
        public int[] FirstNonZero { get; } = Enumerable.Repeat(-1, net.Parameters.Count).ToArray();
        public IReadOnlyList<Tensor> Parameters => net.Parameters;
        public IReadOnlyList<Tensor> Buffers => net.Buffers;
        public Tensor Forward(Tensor x, bool training) => net.Forward(x, training);
        public void BeginStep(int step, bool last) { this.step = step; ((IModel)net).BeginStep(step, last); }
        public void AfterTraining() => ((IModel)net).AfterTraining();
        public void AfterBackward()
        {
            ((IModel)net).AfterBackward();
            for (int k = 0; k < net.Parameters.Count; k++)
            {
                using var grad = net.Parameters[k].grad!;
                if (FirstNonZero[k] < 0 && grad.ne(0).any().item<bool>()) FirstNonZero[k] = step;
            }
        }
    }

    static GradientWatch Train(Network net, Generator g)
    {
        var watch = new GradientWatch(net);
        var data = Part1TestData.Data;
        Trainer.Train(watch, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: Steps, LearningRateDecayStep: 150_000), TextWriter.Null);
        return watch;
    }

    /// <summary>For every Tanh layer: the most distinct values among its units for any one example, both in the last
    /// training step's batch (the layer's kept output) and in evaluation mode on dev examples.</summary>
    static List<int> MostDistinctPerTanhLayer(Network net)
    {
        var counts = new List<int>();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var Xdev = Part1TestData.Data.Xdev.narrow(0, 0, 200);
        var emb = net.C[Xdev];
        var x = emb.view(emb.shape[0], -1);
        foreach (var layer in net.Layers)
        {
            layer.train(false);
            x = layer.call(x);
            if (layer is not Tanh) continue;
            int eval = MostDistinct(x);
            int training = MostDistinct(layer.Out!);
            counts.Add(Math.Max(eval, training));
        }
        return counts;
    }

    static int MostDistinct(Tensor rows)
    {
        var values = rows.contiguous().data<float>().ToArray();
        int width = (int)rows.shape[1];
        return Enumerable.Range(0, (int)rows.shape[0]).Max(n => values.Skip(n * width).Take(width).Distinct().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AllZeroInitKeepsTheUnitsOfEveryHiddenLayerEqualAndOnlyTheOutputBiasLearns(bool batchNorm)
    {
        var g = new Generator(2147483647);
        var net = DeepNet(g, batchNorm);
        using (no_grad())
            foreach (var p in net.Parameters) p.zero_();   // C, the Linear weights and biases, BatchNorm's gamma and beta
        var watch = Train(net, g);

        // every hidden unit of a layer has the same value for each example, after training as at init
        var counts = MostDistinctPerTanhLayer(net);
        Assert.Equal(5, counts.Count);
        Assert.All(counts, c => Assert.Equal(1, c));
        // only the last parameter (the output Linear's bias, or the last BatchNorm's beta) ever got a gradient, from step 0
        int last = net.Parameters.Count - 1;
        Assert.Equal(0, watch.FirstNonZero[last]);
        Assert.All(Enumerable.Range(0, last), k => Assert.Equal(-1, watch.FirstNonZero[k]));
        var outputBias = batchNorm ? ((BatchNorm1d)net.Layers[^1]).beta : ((Linear)net.Layers[^1]).bias!;
        Assert.Same(net.Parameters[last], outputBias);
        // so the output ignores the context: the same logits for every dev example
        using var logits = net.Forward(Part1TestData.Data.Xdev.narrow(0, 0, 200), training: false).detach();
        Assert.True(logits.eq(logits[0]).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnlyTheLastLinearZeroBreaksTheSymmetryAndEveryParameterLearns(bool batchNorm)
    {
        var g = new Generator(2147483647);
        var net = DeepNet(g, batchNorm);
        var lastLinear = (Linear)net.Layers.Last(l => l is Linear);
        using (no_grad())
        {
            lastLinear.weight.zero_();
            lastLinear.bias?.zero_();
        }
        var watch = Train(net, g);

        Assert.All(MostDistinctPerTanhLayer(net), c => Assert.Equal(100, c));
        // the output weight from step 0, everything below it (the gradient passes through that weight) from step 1
        int weight = net.Parameters.ToList().IndexOf(lastLinear.weight);
        Assert.Equal(0, watch.FirstNonZero[weight]);
        for (int k = 0; k < weight; k++) Assert.Equal(1, watch.FirstNonZero[k]);
    }

    /// <summary>
    /// E02: a trained BatchNorm net, each Linear + BatchNorm1d pair folded into one Linear with W' = W · s and
    /// b' = beta − running_mean · s, s = gamma / √(running_var + eps). In float32 the evaluation logits over the whole
    /// dev split agree to 1e-4. The formula again in float64 (the trained values widened), against the BatchNorm net's
    /// evaluation forward written with torch's own <c>batch_norm</c>: they agree to 1e-9, which also catches an error
    /// too small for float32's tolerance (eps left out, say).
    /// </summary>
    [Fact]
    public void FoldingEveryBatchNormIntoTheLinearBeforeItLeavesTheEvaluationLogitsUnchanged()
    {
        var data = Part1TestData.Data;
        var g = new Generator(2147483647);
        var net = DeepNet(g, batchNorm: true);
        Trainer.Train(net, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: 300, LearningRateDecayStep: 150_000, Fast: true), TextWriter.Null);

        var folded = new List<Layer>();
        using (no_grad())
            for (int i = 0; i < net.Layers.Count; i++)
            {
                if (net.Layers[i] is Linear linear && net.Layers[i + 1] is BatchNorm1d bn)
                {
                    var s = bn.gamma / (bn.running_var + bn.Eps).sqrt();
                    var f = new Linear(linear.FanIn, linear.FanOut, bias: true);
                    f.weight.copy_(linear.weight * s);
                    f.bias!.copy_(bn.beta - bn.running_mean * s);
                    folded.Add(f);
                    i++;
                }
                else folded.Add(new Tanh());
            }
        var foldedNet = new Network(net.C, folded);
        Assert.Equal(11, folded.Count);
        Assert.DoesNotContain(folded, l => l is BatchNorm1d);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var diff = (net.Forward(data.Xdev, training: false) - foldedNet.Forward(data.Xdev, training: false)).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max |Δlogits| over the dev split {diff}");

        // the same in float64: the BatchNorm net's evaluation forward written out from its tensors, against the fold
        var x64 = net.C.to(float64)[data.Xdev].view(data.Xdev.shape[0], -1);
        var y64 = x64;
        foreach (var layer in net.Layers)
            y64 = layer switch
            {
                Linear l => y64.mm(l.weight.to(float64)),
                BatchNorm1d b => nn.functional.batch_norm(y64, b.running_mean.to(float64), b.running_var.to(float64),
                                                          b.gamma.to(float64), b.beta.to(float64), training: false, eps: b.Eps),
                _ => y64.tanh(),
            };
        // the fold's formula, in float64
        var exact = x64;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            if (net.Layers[i] is Linear linear && net.Layers[i + 1] is BatchNorm1d bn)
            {
                var s = bn.gamma.to(float64) / (bn.running_var.to(float64) + bn.Eps).sqrt();
                exact = exact.mm(linear.weight.to(float64) * s) + (bn.beta.to(float64) - bn.running_mean.to(float64) * s);
                i++;
            }
            else exact = exact.tanh();
        }
        double diff64 = (y64 - exact).abs().max().item<double>();
        Assert.True(diff64 < 1e-9, $"float64: max |Δlogits| {diff64}");
    }
}
