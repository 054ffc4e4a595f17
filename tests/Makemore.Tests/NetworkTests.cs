using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Makemore.Text.PyFormat;
using Linear = Makemore.Layers.Linear;
using BatchNorm1d = Makemore.Layers.BatchNorm1d;
using Tanh = Makemore.Layers.Tanh;
using Ref = Makemore.Reference.LectureRuns;

namespace Makemore.Tests;

/// <summary>
/// The net as the notebook cells build it (C, a layers list, the init loop, <see cref="Network"/>) held against the
/// library's oracle <see cref="Network.Create"/> and the lecture's printed numbers; the diagnostic loops as the cells write
/// them; any list of layers, including one written in a cell, on both training paths; and the lecture comparisons.
/// </summary>
[Collection(InProcessTorch.Name)]
public class NetworkTests
{
    static readonly Dataset Data = Part1TestData.Data;

    public NetworkTests() => torch.set_num_threads(1);

    // The cells of notebooks 08-11 (and 07's, with the library's copies of its classes): C, the layers list, the init loop under
    // no_grad. LayerCellsTests holds 07's own classes and loop equal to this net under Trainer.Train.
    internal static Network CellNet(Generator g, double gain, bool batchNorm = false, bool tanh = true, Func<Layer>? nonlinearity = null)
    {
        int n_embd = 10, n_hidden = 100, vocab_size = 27, block_size = 3;
        var C = randn(vocab_size, n_embd, generator: g);
        var layers = new List<Layer>();
        int fanIn = n_embd * block_size;
        for (int k = 0; k < 5; k++)
        {
            layers.Add(new Linear(fanIn, n_hidden, bias: !batchNorm, generator: g));
            if (batchNorm) layers.Add(new BatchNorm1d(n_hidden));
            if (tanh) layers.Add(nonlinearity?.Invoke() ?? new Tanh());
            fanIn = n_hidden;
        }
        layers.Add(new Linear(n_hidden, vocab_size, bias: !batchNorm, generator: g));
        if (batchNorm) layers.Add(new BatchNorm1d(vocab_size));
        using (no_grad())
        {
            if (layers[^1] is BatchNorm1d bn) bn.gamma.mul_(0.1);
            else ((Linear)layers[^1]).weight.mul_(0.1);
            foreach (var layer in layers.Take(layers.Count - 1))
                if (layer is Linear linear) linear.weight.mul_(gain);
        }
        C.requires_grad = true;
        return new Network(C, layers);
    }

    // The viz #1 and #2 loops of the notebooks.
    static List<string> ActivationLines(IReadOnlyList<Layer> layers)
    {
        var lines = new List<string>();
        for (int i = 0; i < layers.Count - 1; i++)
            if (layers[i] is Tanh)
            {
                var t = layers[i].Out!;
                lines.Add(Format("layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%",
                                 i, layers[i].Kind, t.mean(), t.std(), (t.abs() > 0.97).@float().mean() * 100));
            }
        return lines;
    }

    static List<string> GradientLines(IReadOnlyList<Layer> layers)
    {
        var lines = new List<string>();
        for (int i = 0; i < layers.Count - 1; i++)
            if (layers[i] is Tanh)
            {
                var t = layers[i].OutGrad!;
                lines.Add(Format("layer %d (%10s): mean %+f, std %e", i, layers[i].Kind, t.mean(), t.std()));
            }
        return lines;
    }

    static List<string> WeightLines(IReadOnlyList<Tensor> parameters)
    {
        var lines = new List<string>();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var t = p.grad!;
            if (p.dim() == 2)
                lines.Add(Format("weight %10s | mean %+f | std %e | grad:data ratio %e", p.shape, t.mean(), t.std(), t.std() / p.std()));
        }
        return lines;
    }

    sealed class ReLU : Layer
    {
        public override Tensor forward(Tensor x) => x.relu();
    }

    [Theory]
    [InlineData(5.0 / 3, false, true)]
    [InlineData(1.0, true, true)]
    [InlineData(0.5, false, false)]
    public void TheCellsBuildTheLibrarysNetBitForBit(double gain, bool batchNorm, bool tanh)
    {
        var ours = CellNet(new Generator(2147483647), gain, batchNorm, tanh);
        var oracle = Network.Create(new Generator(2147483647), new NetworkOptions(BatchNorm: batchNorm, Gain: gain, Tanh: tanh));
        Assert.Equal(oracle.ParameterCount, ours.ParameterCount);
        Assert.Equal(oracle.Layers.Select(l => l.Kind), ours.Layers.Select(l => l.Kind));
        for (int i = 0; i < oracle.Parameters.Count; i++)
            Assert.True(ParameterSnapshot.Of(oracle.Parameters[i]).SameAs(ParameterSnapshot.Of(ours.Parameters[i])), $"parameter {i}");
        Assert.Equal(batchNorm ? Ref.ParameterCountWithBatchNorm : Ref.ParameterCountWithoutBatchNorm, ours.ParameterCount);
    }

    [Fact]
    public void TheCellsLoopsPrintTheLecturesTablesAtInitAndMatchTheLibrarysOracle()
    {
        var g = new Generator(2147483647);
        var model = CellNet(g, 5.0 / 3);
        var log = new StringWriter();
        var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(0), log);
        Assert.Equal(Ref.StepZeroGain5Over3, log.ToString().Split('\n')[0].TrimEnd());
        Assert.Equal(Ref.Gain5Over3ActivationsAtInit, ActivationLines(model.Layers));
        Assert.Equal(Ref.Gain5Over3GradientsAtInit, GradientLines(model.Layers));
        Assert.Equal(Diagnose.ForwardActivations(model.Layers).Select(r => r.ToString()), ActivationLines(model.Layers));
        Assert.Equal(Diagnose.WeightGradients(model.Parameters).Select(r => r.ToString()), WeightLines(model.Parameters));

        string table = LectureComparison.Compare(model, result, LectureTable.Activations, ActivationLines(model.Layers), "gain 5/3");
        Assert.EndsWith("5 of 5 lines identical to the lecture's", table);
        Assert.DoesNotContain("≠", table);
    }

    [Fact]
    public void TheLecturesBatchNormRunThroughTheCellsGivesItsLossesAndSamples()
    {
        var g = new Generator(2147483647);
        var model = CellNet(g, 1.0, batchNorm: true);
        var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(1000), TextWriter.Null);
        Assert.Equal(1001, result.Steps);
        Assert.Equal(Ref.BatchNormActivations, ActivationLines(model.Layers));
        string[] losses = [Evaluation.Line("train", Evaluation.SplitLoss(model, Data.Xtr, Data.Ytr)),
                           Evaluation.Line("val", Evaluation.SplitLoss(model, Data.Xdev, Data.Ydev))];
        Assert.Equal([Ref.BatchNormTrainLoss, Ref.BatchNormValLoss], losses);
        Assert.Equal(Ref.BatchNormSamples, Sampler.Sample(model, Data.Vocab, Data.BlockSize, 20));

        // viz #2 and #3: identical, or different only by float rounding, and then said so in one line, never ≠
        foreach (var (table, lines) in new[] { (LectureTable.Gradients, GradientLines(model.Layers)),
                                               (LectureTable.WeightGradients, WeightLines(model.Parameters)) })
        {
            string text = LectureComparison.Compare(model, result, table, lines);
            Assert.DoesNotContain("≠", text);
            Assert.DoesNotContain("no lecture", text);
        }
        // line for line against the stored notebook's cells 16 and 17 (its tables of this run): the same layers and
        // parameters in the same order, each line the same or apart only in the last printed digits or a zero's sign
        foreach (var (ours, stored) in new[] { (GradientLines(model.Layers), Ref.BatchNormGradients),
                                               (WeightLines(model.Parameters), Ref.BatchNormWeightGradients) })
        {
            Assert.Equal(stored.Length, ours.Count);
            Assert.All(ours.Zip(stored), p => Assert.True(p.First == p.Second || LectureComparison.OnlyRounding(p.First, p.Second),
                                                          $"{p.First}\n  against the stored notebook's {p.Second}"));
        }
    }

    [Fact]
    public void AGainTheLectureNeverRanGetsOneLineAndNoInequality()
    {
        var g = new Generator(2147483647);
        var model = CellNet(g, 2.0);
        var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(0), TextWriter.Null);
        var lines = ActivationLines(model.Layers);
        string text = LectureComparison.Compare(model, result, LectureTable.Activations, lines, "gain 2");
        Assert.Equal([.. lines, "no lecture reference for gain 2: the lecture ran " + Ref.RunsSummary], text.Split('\n'));
        Assert.DoesNotContain("≠", text);
    }

    [Fact]
    public void TheLinearNetIsNotTheTanhNetThoughItsParametersAreTheSame()
    {
        var g = new Generator(2147483647);
        var linear = CellNet(g, 1.0, tanh: false);
        var result = Trainer.Train(linear, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(0), TextWriter.Null);
        Assert.Null(Ref.Find(linear, result));                      // the lecture's gain-1 run at init had tanh
        var g2 = new Generator(2147483647);
        var small = CellNet(g2, 0.5, tanh: false);
        var result2 = Trainer.Train(small, Data.Xtr, Data.Ytr, g2, TrainingOptions.BreakAfter(0), TextWriter.Null);
        Assert.Equal("the linear net, gain 0.5, at init", Ref.Find(small, result2)?.Name);
        // the lecture's net at another learning rate: the same start, not the same run
        var g3 = new Generator(2147483647);
        var slow = CellNet(g3, 0.5, tanh: false);
        var result3 = Trainer.Train(slow, Data.Xtr, Data.Ytr, g3, TrainingOptions.BreakAfter(0, learningRate: 0.001), TextWriter.Null);
        Assert.Null(Ref.Find(slow, result3));
        Assert.EndsWith("\nno lecture reference for lr 0.001: the lecture ran this net for 1 step, with batch 32 and lr 0.1",
                        LectureComparison.Compare(slow, result3, LectureTable.Activations, ["x"], "lr 0.001"));
    }

    [Theory]
    [InlineData("layer 2 (      Tanh): mean +0.000000, std 2.640701e-03", "layer 2 (      Tanh): mean +0.000000, std 2.640702e-03", true)]
    [InlineData("layer 2 (      Tanh): mean -0.000000, std 2.640702e-03", "layer 2 (      Tanh): mean +0.000000, std 2.640702e-03", true)]
    [InlineData("weight  (30, 100) | mean +0.000246 | std 9.241064e-03", "weight  (30, 100) | mean +0.000247 | std 9.241064e-03", false)]
    [InlineData("weight (100, 100) | grad:data ratio 8.012625e-03", "weight (100, 100) | grad:data ratio 8.012623e-03", true)]
    [InlineData("layer 2 (      Tanh): mean +0.000000, std 2.640802e-03", "layer 2 (      Tanh): mean +0.000000, std 2.640702e-03", false)]
    [InlineData("layer 2 (      Tanh): mean +0.000000, std 2.640702e-04", "layer 2 (      Tanh): mean +0.000000, std 2.640702e-03", false)]
    [InlineData("layer 5 (      Tanh): mean +0.000000, std 2.640702e-03", "layer 2 (      Tanh): mean +0.000000, std 2.640702e-03", false)]
    public void OnlyTheSeventhDigitOrTheSignOfAZeroCountsAsRounding(string ours, string lecture, bool rounding) =>
        Assert.Equal(rounding, LectureComparison.OnlyRounding(ours, lecture));

    [Fact]
    public void PartOnesComparisonOfPrintoutsIsUnchanged()
    {
        string text = LectureComparison.Compare(["a 1.000000e-03", "b"], ["a 1.000001e-03", "b"]);
        Assert.Equal("a 1.000000e-03   ≠ lecture: a 1.000001e-03\nb                ✓\n1 of 2 lines identical to the lecture's", text);
    }

    [Fact]
    public void FormatIsPythonsPercentOperator()
    {
        // Python: '%d (%10s): %+.2f, %.2f, %+f, %e, %.2f%%' % (3, 'Tanh', -0.004, 0.125, 1e-10, 0.0026407019, 12.5)
        Assert.Equal("3 (      Tanh): -0.00, 0.12, +0.000000, 2.640702e-03, 12.50%",
                     Format("%d (%10s): %+.2f, %.2f, %+f, %e, %.2f%%", 3, "Tanh", -0.004, 0.125, 1e-10, 0.0026407019, 12.5));
        Assert.Equal("weight   (27, 10) | (27,)", Format("weight %10s | %s", new long[] { 27, 10 }, new long[] { 27 }));
        using var t = tensor(0.1f);                                  // a 0-d float32 tensor: Python reads its float32
        Assert.Equal("0.100000001490116", Format("%.15f", t));
        Assert.Throws<FormatException>(() => Format("%d %d", 1));
        Assert.Throws<FormatException>(() => Format("%d", 1, 2));
    }

    [Fact]
    public void AnyListOfLibraryLayersCompilesForTheFastPathAndTakesTheSameStep()
    {
        // An order and a mix no lecture net has: BatchNorm first, a Linear with and one without bias, two Tanh in a row.
        Network Build(Generator g) => new(randn(27, 10, generator: g).requires_grad_(true),
            [new BatchNorm1d(30), new Linear(30, 64, generator: g), new Tanh(), new Tanh(),
             new Linear(64, 48, bias: false, generator: g), new BatchNorm1d(48), new Tanh(), new Linear(48, 27, generator: g)]);
        Generator g1 = new(7), g2 = new(7);
        Network plain = Build(g1), fast = Build(g2);
        var (net, reason) = FastNet.Compile(fast, 32);
        Assert.True(net is not null, reason);
        var expected = Trainer.Train(plain, Data.Xtr, Data.Ytr, g1, new TrainingOptions(StopAfter: 2), TextWriter.Null);
        var actual = Trainer.Train(fast, Data.Xtr, Data.Ytr, g2, new TrainingOptions(StopAfter: 2, Fast: true), TextWriter.Null);
        Assert.True(actual.Fast);
        for (int i = 0; i < 3; i++) Assert.Equal(expected.Lossi[i], actual.Lossi[i], 1e-5f);        // seen: identical (≈10× what is seen everywhere here: another CPU may round differently)
        for (int i = 0; i < plain.Parameters.Count; i++)
            Assert.True(plain.Parameters[i].allclose(fast.Parameters[i], rtol: 1e-5, atol: 1.5e-6), $"parameter {i}");    // seen: ≤ 1.2e-7
        for (int l = 0; l < plain.Layers.Count; l++)
            Assert.True(plain.Layers[l].Out!.allclose(fast.Layers[l].Out!, rtol: 1e-5, atol: 1e-5), $"output of layer {l}");   // seen: ≤ 9.5e-7
    }

    [Fact]
    public void ALayerWrittenInACellTrainsOnAutogradSaysSoInOneLineAndIsDiagnosed()
    {
        var g = new Generator(2147483647);
        var model = CellNet(g, Math.Sqrt(2), nonlinearity: () => new ReLU());
        var log = new StringWriter();
        var result = Trainer.Train(model, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(3, fast: true), log);
        Assert.False(result.Fast);
        Assert.Equal(4, result.Steps);
        Assert.Equal("the fast path knows Linear, BatchNorm1d and Tanh, not layer 1 (ReLU): training on autograd instead.",
                     log.ToString().Split('\n')[0].TrimEnd());
        var relu = model.Layers[1];
        Assert.Equal("ReLU", relu.Kind);
        Assert.True(relu.Out!.ge(0).all().item<bool>());                       // its output, kept for viz #1
        // and its gradient, for viz #2: the chain rule through the next Linear, dL/dx = dL/dy · Wᵀ, with W as it was
        // before the last update (W −= 0.1 · grad)
        var next = (Linear)model.Layers[2];
        using (no_grad())
        {
            using var wBefore = next.weight + 0.1 * next.weight.grad!;
            using var expected = next.OutGrad!.mm(wBefore.t());
            Assert.True(relu.OutGrad!.allclose(expected, rtol: 1e-5, atol: 1e-9),
                        $"max |difference| {(relu.OutGrad! - expected).abs().max().item<float>():G3} against {expected.abs().max().item<float>():G3}");
        }
        Assert.Equal(5, Diagnose.ForwardActivations(model.Layers, "ReLU").Count);
        Assert.Null(Ref.Find(model, result));
    }

    [Fact]
    public void AWrongSizeInTheListIsAnErrorNamingTheLayerAndBothShapes()
    {
        var model = new Network(randn(27, 10).requires_grad_(true), [new Linear(30, 100), new Tanh(), new Linear(200, 100)]);
        var e = Assert.Throws<LayerException>(() => model.Forward(Data.Xtr.narrow(0, 0, 32), training: true));
        Assert.Equal("layer 2 (Linear): Linear(200, 100) takes inputs of shape (N, 200), got (32, 100)", e.Message);
        Assert.Equal(2, e.Index);
        // the fast path refuses it by name and autograd then raises the same error
        var (net, reason) = FastNet.Compile(model, 32);
        Assert.Null(net);
        Assert.Equal("layer 2 (Linear) takes 200 values per row but gets 100", reason);
        Assert.Throws<LayerException>(() => Trainer.Train(model, Data.Xtr, Data.Ytr, new Generator(1),
            new TrainingOptions(MaxSteps: 1, Fast: true), TextWriter.Null));
        var bn = new Network(randn(27, 10).requires_grad_(true), [new Linear(30, 100), new BatchNorm1d(50)]);
        Assert.Contains("layer 1 (BatchNorm1d): BatchNorm1d(50) takes inputs of shape (N, 50), got (32, 100)",
                        Assert.Throws<LayerException>(() => bn.Forward(Data.Xtr.narrow(0, 0, 32), training: true)).Message);
    }

    /// <summary>TorchSharp 0.107's native matmul lets libtorch's error end the process (see the stack notes): nothing
    /// in the library or the notebooks may call it.</summary>
    [Fact]
    public void NothingCallsMatmul()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepoFiles.Root, "lib"), "*.cs", SearchOption.AllDirectories)
            .Concat(RepoFiles.NotebookPaths())
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));
        Assert.All(files, f => Assert.DoesNotContain(".matmul(", File.ReadAllText(f)));
    }
}
