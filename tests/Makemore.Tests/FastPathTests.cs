using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// The fast path against the plain one (TorchSharp's autograd, itself tested bit-exact against the lecture's loop):
/// the same model trained from the same generator must land on the same numbers to float precision. The kernels are
/// checked against straightforward loops in double.
/// </summary>
[Collection(InProcessTorch.Name)]
public class FastPathTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    // |a − b| ≤ rel·max|a| elementwise, with the worst offender in the message.
    static void Close(Tensor expected, Tensor actual, double rel, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= rel * scale + 1e-7, $"{what}: max |difference| {worst:G3} against max |value| {scale:G3}");
    }

    static (IModel Plain, IModel Fast, Generator G1, Generator G2)[] Pairs() =>
    [
        .. new[] { MlpConfig.Kaiming, MlpConfig.BatchNorm, MlpConfig.Starter }.Select(c =>
        {
            var (a, g1) = Mlp.Create(c, Data.Vocab.Size, Data.BlockSize);
            var (b, g2) = Mlp.Create(c, Data.Vocab.Size, Data.BlockSize);
            return ((IModel)a, (IModel)b, g1, g2);
        }),
        .. new[] { new NetworkOptions(BatchNorm: true), new NetworkOptions(), new NetworkOptions(Tanh: false, Gain: 1) }.Select(o =>
        {
            Generator g1 = new(2147483647UL), g2 = new(2147483647UL);
            return ((IModel)Network.Create(g1, o), (IModel)Network.Create(g2, o), g1, g2);
        }),
    ];

    [Fact]
    public void OneStepGivesTheSameLossGradientsAndUpdateAsAutograd()
    {
        foreach (var (plain, fast, g1, g2) in Pairs())
        {
            var expected = Trainer.Train(plain, Data.Xtr, Data.Ytr, g1, new TrainingOptions(StopAfter: 0, RecordUpdateRatios: true), TextWriter.Null);
            var actual = Trainer.Train(fast, Data.Xtr, Data.Ytr, g2, new TrainingOptions(StopAfter: 0, RecordUpdateRatios: true, Fast: true), TextWriter.Null);
            float loss = MathF.Pow(10, expected.Lossi[0]);
            Assert.Equal(loss, MathF.Pow(10, actual.Lossi[0]), 2e-6f * loss);                  // relative; seen: ≤ 1.5e-7 (≈10×: another CPU may round differently)
            Assert.Contains("steps/s on the fast path)", actual.ToString());
            Assert.DoesNotContain("fast", expected.ToString());
            for (int i = 0; i < plain.Parameters.Count; i++)
            {
                Close(plain.Parameters[i].grad!, fast.Parameters[i].grad!, 1e-5, $"{plain} grad of parameter {i}");
                Close(plain.Parameters[i], fast.Parameters[i], 1e-6, $"{plain} parameter {i} after the update");
                Assert.Equal(expected.Ud[0][i], actual.Ud[0][i], 3e-6f);                           // seen: ≤ 2.4e-7
            }
            // the generator is left where the plain loop leaves it
            Assert.True(randint(0, 1000, [4], generator: g1).Exactly(randint(0, 1000, [4], generator: g2)));
        }
    }

    [Fact]
    public void AThousandStepsLandWhereThePlainPathLands()
    {
        foreach (var (plain, fast, g1, g2) in Pairs().Where((_, i) => i is 1 or 3))   // part 1 BatchNorm, part 2 BatchNorm
        {
            var options = new TrainingOptions(MaxSteps: 1000);
            var expected = Trainer.Train(plain, Data.Xtr, Data.Ytr, g1, options, TextWriter.Null);
            var actual = Trainer.Train(fast, Data.Xtr, Data.Ytr, g2, options with { Fast = true }, TextWriter.Null);
            for (int i = 0; i < 1000; i++) Assert.Equal(expected.Lossi[i], actual.Lossi[i], 1e-5f);   // seen: ≤ 9.3e-7
            for (int i = 0; i < plain.Parameters.Count; i++)
                Close(plain.Parameters[i], fast.Parameters[i], 1e-4, $"{plain} parameter {i} after 1000 steps");   // seen: ≤ 3e-5
            float lossPlain = Evaluation.SplitLoss(plain, Data.Xdev, Data.Ydev), lossFast = Evaluation.SplitLoss(fast, Data.Xdev, Data.Ydev);
            Assert.Equal(lossPlain, lossFast, 3e-6f);   // the running BatchNorm statistics came back too (seen: ≤ 2.4e-7)
        }
    }

    [Fact]
    public void RetainedOutputsAreHandedOverForTheDiagnostics()
    {
        var (plain, fast, g1, g2) = Pairs()[3];
        var (a, b) = ((Network)plain, (Network)fast);
        Trainer.Train(a, Data.Xtr, Data.Ytr, g1, new TrainingOptions(StopAfter: 2), TextWriter.Null);
        Trainer.Train(b, Data.Xtr, Data.Ytr, g2, new TrainingOptions(StopAfter: 2, Fast: true), TextWriter.Null);
        for (int l = 0; l < a.Layers.Count; l++)
        {
            Close(a.Layers[l].Out!, b.Layers[l].Out!, 1e-5, $"output of layer {l} ({a.Layers[l].Kind})");
            Close(a.Layers[l].OutGrad!, b.Layers[l].OutGrad!, 1e-5, $"output gradient of layer {l} ({a.Layers[l].Kind})");   // seen: ≤ 1e-6
        }
    }

    [Fact]
    public void ALossThatStopsBeingANumberStopsTheFastPathWithTheLastGoodParameters()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(model, Data.Xtr, Data.Ytr, g,
            new TrainingOptions(MaxSteps: 10, ConstantLearningRate: 1e38, Label: "too hot", Fast: true), TextWriter.Null));
        Assert.Contains($"at step {e.Partial.Steps} ", e.Message);
        Assert.All(model.Parameters, p => Assert.False(p.isnan().any().item<bool>() || p.isinf().any().item<bool>()));
    }

    [Fact]
    public void AModelTheFastPathDoesNotKnowTrainsOnAutogradAndSaysSoInOneLine()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var cells = new Model(model.Parameters, x => model.Forward(x, training: true));   // a forward pass of the cells
        var log = new StringWriter();
        var result = Trainer.Train(cells, Data.Xtr, Data.Ytr, g, new TrainingOptions(MaxSteps: 2, Fast: true), log);
        Assert.False(result.Fast);
        Assert.Equal(2, result.Steps);
        var lines = log.ToString().TrimEnd().Split('\n');
        Assert.Equal("the fast path compiles the library's Mlp and networks of C and layers, not Model: training on autograd instead.", lines[0]);
        Assert.Equal("      0/      2: 3.3179", lines[1]);
    }

    [Fact]
    public void ASplitTheModelCannotReadIsRefusedByNameAndLeavesTheModelAlone()
    {
        var (model, g) = Mlp.Create(MlpConfig.Kaiming, Data.Vocab.Size, Data.BlockSize);
        var before = model.W1.clone();
        var fast = new TrainingOptions(MaxSteps: 5, Fast: true);
        var badChar = Data.Xtr[..100].clone();
        badChar[7, 1] = tensor(27L);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(model, badChar, Data.Ytr[..100], g, fast, TextWriter.Null));
        Assert.Contains("context row 7 holds character index 27, outside the vocabulary of 27", e.Message);
        e = Assert.Throws<ArgumentException>(() => Trainer.Train(model, Data.Xtr[.., ..2], Data.Ytr, g, fast, TextWriter.Null));
        Assert.Contains("the model reads (N, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Trainer.Train(model, Data.Xtr[..100], Data.Ytr[..99], g, fast, TextWriter.Null));
        Assert.Contains("the targets Ytr have shape (99,): the contexts (100, 3) need (100,)", e.Message);
        Assert.True(before.Exactly(model.W1));
    }

    [Fact]
    public void AKernelGivenTooLittleMemoryForItsSizesThrowsInsteadOfReadingPastIt()
    {
        float[] a = new float[32 * 30], b = new float[30 * 100 - 1], c = new float[32 * 100];   // b one float short
        var e = Assert.Throws<ArgumentException>(() => Kernels.MatMul(a, b, c, 32, 30, 100));
        Assert.Equal("MatMul: b holds 2999 floats, fewer than its k×n = 3000", e.Message);
        Assert.Throws<ArgumentException>(() => Kernels.MatMulTransposeA(a, new float[32 * 100], new float[10], 32, 30, 100));
        Assert.Throws<ArgumentException>(() => Kernels.MatMulTransposeB(new float[32 * 100], new float[30 * 100], c, 32, 30, 100, new float[5]));
        var e2 = Assert.Throws<ArgumentException>(() => Floats.Axpby(0.1f, new float[99], 1f, new float[100]));
        Assert.Equal("Axpby: x holds 99 floats and y 100; they must be as long", e2.Message);
        Assert.Throws<ArgumentException>(() => Kernels.AddRow(new float[32 * 100], new float[50], 32, 100));
    }

    // Straightforward products in double, the oracle for the kernels.
    static float[] Naive(float[] a, float[] b, int m, int k, int n, bool ta, bool tb)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = (float)s;
            }
        return c;
    }

    [Theory]
    [InlineData(32, 30, 200)]
    [InlineData(32, 200, 27)]
    [InlineData(7, 5, 19)]
    [InlineData(3, 1, 9)]
    public void ProductsMatchTheirDefinition(int m, int k, int n)
    {
        var rng = new Random(m * 1000 + k * 10 + n);
        float[] R(int len) => Enumerable.Range(0, len).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        void Check(float[] expected, float[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
        }
        // c = a·b with a (m×k), b (k×n)
        float[] a = R(m * k), b = R(k * n), c = new float[m * n];
        Kernels.MatMul(a, b, c, m, k, n);
        Check(Naive(a, b, m, k, n, false, false), c, "a·b");
        // c (k×n) = aᵀ·d with a (m×k), d (m×n)
        float[] d = R(m * n), ct = new float[k * n];
        Kernels.MatMulTransposeA(a, d, ct, m, k, n);
        Check(Naive(a, d, k, m, n, true, false), ct, "aᵀ·d");
        // c (m×k) = d·bᵀ with d (m×n), b (k×n)
        float[] bt = R(k * n), cb = new float[m * k], scratch = new float[k * n];
        Kernels.MatMulTransposeB(d, bt, cb, m, k, n, scratch);
        Check(Naive(d, bt, m, n, k, false, true), cb, "d·bᵀ");
    }

    [Fact]
    public void TanhIsTanhToAFewUnitsInTheLastPlace()
    {
        var x = Enumerable.Range(-20000, 40001).Select(i => i * 1e-3f)
            .Concat([0f, -0f, 1e-30f, -1e-8f, 0.29999f, 0.3f, 0.30001f, 100f, -1e30f, float.PositiveInfinity, float.NegativeInfinity]).ToArray();
        var y = new float[x.Length];
        Kernels.Tanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double t = Math.Tanh(x[i]);
            Assert.True(Math.Abs(y[i] - t) <= 4e-7 * Math.Abs(t) + 1e-45, $"tanh({x[i]:R}) = {t:R}, got {y[i]:R}");
        }
        Kernels.Tanh([float.NaN], y);
        Assert.True(float.IsNaN(y[0]));
    }
}
