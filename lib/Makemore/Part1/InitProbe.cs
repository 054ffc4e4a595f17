using Makemore.Data;
using Makemore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Part1;

/// <summary>
/// The network at init on its first minibatch, as plain arrays: what the lecture looks at when it stops the
/// training loop with <c>break</c> after the first step. The parameters and the minibatch indices come from a
/// fresh generator in the training loop's order, so this is exactly the batch that step 0 sees, and
/// <see cref="Loss"/> is the loss step 0 prints.
/// </summary>
public sealed class InitProbe
{
    public required MlpConfig Config { get; init; }
    /// <summary>The minibatch loss (what step 0 prints: 27.8817 for the starter).</summary>
    public required float Loss { get; init; }
    /// <summary>The input of the tanh (after BatchNorm when there is one), (batch, n_hidden).</summary>
    public required float[,] Hpreact { get; init; }
    /// <summary>The tanh's output, (batch, n_hidden).</summary>
    public required float[,] H { get; init; }
    /// <summary>The logits, (batch, vocab).</summary>
    public required float[,] Logits { get; init; }
    /// <summary>b1's gradient after backward on this batch (null when the stage has no b1).</summary>
    public required float[]? B1Grad { get; init; }
    /// <summary>The minibatch indices into Xtr.</summary>
    public required long[] Ix { get; init; }

    /// <summary>Draws the model and the first minibatch from a fresh generator, runs forward and backward.</summary>
    public static InitProbe Run(Dataset data, MlpConfig config, ulong seed = Mlp.Seed, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (model, g) = Mlp.Create(config, data.Vocab.Size, data.BlockSize, seed);
        using var _ = model;
        using var scope = NewDisposeScope();
        // the same draw as the training loop's first step
        var (ix, Xb, Yb) = Trainer.Minibatch(data.Xtr, data.Ytr, g, batchSize);
        var a = model.Trace(Xb, training: true);
        var loss = nn.functional.cross_entropy(a.Logits, Yb);
        loss.backward();
        return new InitProbe
        {
            Config = config,
            Loss = loss.item<float>(),
            Hpreact = ToArray2D(a.Hpreact),
            H = ToArray2D(a.H),
            Logits = ToArray2D(a.Logits),
            B1Grad = model.b1?.grad?.data<float>().ToArray(),
            Ix = ix.data<long>().ToArray(),
        };
    }

    /// <summary>|h| &gt; 0.99 per (example, neuron).</summary>
    public bool[,] Saturated(float threshold = Saturation.Threshold) => Saturation.Mask(H, threshold);

    /// <summary>Neurons saturated for every example in the batch.</summary>
    public int[] DeadNeurons(float threshold = Saturation.Threshold) => Saturation.DeadNeurons(Saturated(threshold));

    /// <summary>The fraction of |h| &gt; 0.99.</summary>
    public double SaturatedFraction => Saturation.Fraction(Saturated());

    /// <summary>hpreact's mean and std over the batch and the neurons.</summary>
    public (double Mean, double Std) HpreactStats
    {
        get
        {
            var v = HpreactValues;
            double mean = v.Average(x => (double)x);
            double var = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
            return (mean, Math.Sqrt(var));
        }
    }

    /// <summary>One line: the step-0 loss, the spread of hpreact, how saturated h is.</summary>
    public string Summary()
    {
        var (mean, std) = HpreactStats;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Config.Name}: loss {Loss:F4}; hpreact mean {mean:F3}, std {std:F3}; " +
            $"|h| > {Saturation.Threshold}: {SaturatedFraction:P1}; dead neurons (white columns): {DeadNeurons().Length}");
    }

    /// <summary>h flattened, for a histogram (<c>h.view(-1)</c>).</summary>
    public float[] HValues => Flatten(H);

    /// <summary>hpreact flattened, for a histogram.</summary>
    public float[] HpreactValues => Flatten(Hpreact);

    /// <summary>The logits of the first example (<c>logits[0]</c>).</summary>
    public float[] Logits0 => Row(Logits, 0);

    static float[,] ToArray2D(Tensor t)
    {
        var values = t.detach().contiguous().data<float>().ToArray();
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var a = new float[rows, cols];
        Buffer.BlockCopy(values, 0, a, 0, values.Length * sizeof(float));
        return a;
    }

    static float[] Flatten(float[,] a)
    {
        var flat = new float[a.Length];
        Buffer.BlockCopy(a, 0, flat, 0, a.Length * sizeof(float));
        return flat;
    }

    static float[] Row(float[,] a, int i) => Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray();
}
