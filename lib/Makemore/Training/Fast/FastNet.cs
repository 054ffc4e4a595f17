using System.Runtime.CompilerServices;
using Makemore.Data;
using Makemore.Layers;
using Makemore.Models;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Makemore.Training;

/// <summary>
/// A model of the lecture (part 1's MLP, or C and a list of layers: a <see cref="Network"/> built in cells or part 2's
/// deep net) compiled for the fast path: the same embedding, layers and cross-entropy,
/// on float arrays, with the backward pass written out by hand instead of built by autograd. One training step is then a few dozen tight loops with no tensor objects, no allocation and
/// no native calls. The arithmetic is the same, but rounded in a different order than libtorch's kernels, so the
/// numbers agree with the plain path to float precision rather than to the bit (see FastPathTests).
/// </summary>
internal sealed class FastNet
{
    readonly FastParameter C;
    readonly int blockSize, nEmbd, batch;
    readonly float[] embcat, dembcat;
    readonly FastLayer[] layers;
    readonly Layer?[] sources;           // the part 2 layer each fast layer stands for (for retained outputs)
    readonly FastBuffer[] buffers;
    bool stepComplete;       // the last forward pass had its backward pass: outputs and gradients belong together

    FastNet(FastParameter c, int blockSize, int batch, FastLayer[] layers, Layer?[] sources, FastBuffer[] buffers,
            IReadOnlyList<Tensor> order)
    {
        C = c;
        this.blockSize = blockSize;
        nEmbd = c.Data.Length / (int)c.Tensor.shape[0];
        this.batch = batch;
        embcat = new float[batch * blockSize * nEmbd];
        dembcat = new float[embcat.Length];
        this.layers = layers;
        this.sources = sources;
        this.buffers = buffers;
        // C and every layer's parameters, listed in the model's own order
        var byTensor = layers.SelectMany(l => l.Parameters).Prepend(c)
            .ToDictionary(p => (object)p.Tensor, (IEqualityComparer<object>)ReferenceEqualityComparer.Instance);
        Parameters = order.Select(p => byTensor[p]).ToArray();
    }

    /// <summary>In the model's <c>parameters</c> order.</summary>
    public IReadOnlyList<FastParameter> Parameters { get; }

    /// <summary>The fast path's form of <paramref name="model"/>, or null and why not (the model then trains on
    /// autograd): a <see cref="Network"/> of the library's layers, or part 1's <see cref="Mlp"/>. A model written in
    /// cells as a forward function is code the fast path cannot read.</summary>
    internal static (FastNet? Net, string? Reason) Compile(IModel model, int batch) => model switch
    {
        Network net => FromLayers(net.C, net.Layers, net.BlockSize, batch, net.Parameters),
        Mlp mlp => (FromMlp(mlp, batch), null),
        _ => (null, $"the fast path compiles the library's Mlp and networks of C and layers, not {model.GetType().Name}"),
    };

    // Part 1's MLP: the same tensors, read as C, Linear, (BatchNorm,) tanh, Linear.
    static FastNet FromMlp(Mlp mlp, int batch)
    {
        var C = new FastParameter(mlp.C);
        int fanIn = mlp.Config.NEmbd * mlp.BlockSize, hidden = mlp.Config.NHidden;
        var layers = new List<FastLayer>
        {
            new FastLinear(batch, new FastParameter(mlp.W1), mlp.b1 is null ? null : new FastParameter(mlp.b1), fanIn, hidden),
        };
        var buffers = new List<FastBuffer>();
        if (mlp.bn is BatchNormLayer norm)
        {
            FastBuffer mean = new(norm.bnmean_running), std = new(norm.bnstd_running);
            layers.Add(new FastBatchNorm(batch, hidden, new FastParameter(norm.bngain), new FastParameter(norm.bnbias), mean, std,
                                         runningIsStd: true, eps: 0, BatchNormLayer.Keep, BatchNormLayer.Momentum));
            buffers.AddRange([mean, std]);
        }
        layers.Add(new FastTanh(batch, hidden));
        layers.Add(new FastLinear(batch, new FastParameter(mlp.W2), new FastParameter(mlp.b2), hidden, mlp.VocabSize));
        return new(C, mlp.BlockSize, batch, [.. layers], new Layer?[layers.Count], [.. buffers], mlp.Parameters);
    }

    /// <summary>C and a list of the library's Linear (with or without bias), BatchNorm1d and Tanh layers in any order
    /// and count (what a <see cref="Network"/> hands over), each layer's width checked against the
    /// one before it; otherwise null and what the fast path does not know (the model then trains on autograd).
    /// <paramref name="blockSize"/> null: read off the first layer that has an input width (the embedding's
    /// n_embd·block_size values feed it).</summary>
    internal static (FastNet? Net, string? Reason) FromLayers(Tensor c, IReadOnlyList<Layer> source, int? blockSize, int batch,
                                          IReadOnlyList<Tensor> order)
    {
        int nEmbd = (int)c.shape[1];
        for (int i = 0; i < source.Count; i++)
            if (source[i] is not (Linear or BatchNorm1d or Tanh))
                return (null, $"the fast path knows Linear, BatchNorm1d and Tanh, not layer {i} ({source[i].Kind})");
        int? firstWidth = source.Select(l => l switch { Linear lin => lin.FanIn, BatchNorm1d bn => bn.Dim, _ => (int?)null })
                                .FirstOrDefault(w => w is not null);
        if (blockSize is null)
        {
            if (firstWidth is not int w || w % nEmbd != 0)
                return (null, $"the fast path cannot tell the block size from the layers (C has n_embd {nEmbd})");
            blockSize = w / nEmbd;
        }
        if (order.Distinct(ReferenceEqualityComparer.Instance).Count() != order.Count)
            return (null, "a parameter appears twice in the parameters (a layer used twice in the list?)");
        if (source.Any(l => l is BatchNorm1d) && batch < 2)
            return (null, "BatchNorm's unbiased variance needs a batch of at least 2");
        var C = new FastParameter(c);
        var layers = new List<FastLayer>();
        var buffers = new List<FastBuffer>();
        int width = nEmbd * blockSize.Value;
        for (int i = 0; i < source.Count; i++)
        {
            int wants = source[i] switch { Linear l => l.FanIn, BatchNorm1d bn => bn.Dim, _ => width };
            if (wants != width)    // autograd then raises the layer's own error, with both shapes
                return (null, $"layer {i} ({source[i].Kind}) takes {wants} values per row but gets {width}");
            FastLayer fast = source[i] switch
            {
                Linear l => new FastLinear(batch, new FastParameter(l.weight), l.bias is null ? null : new FastParameter(l.bias),
                                           l.FanIn, l.FanOut),
                BatchNorm1d bn => BatchNorm(bn),
                _ => new FastTanh(batch, width),
            };
            width = fast.OutWidth;
            layers.Add(fast);
        }
        return (new FastNet(C, blockSize.Value, batch, [.. layers], [.. source], [.. buffers], order), null);

        FastLayer BatchNorm(BatchNorm1d bn)
        {
            FastBuffer mean = new(bn.running_mean), variance = new(bn.running_var);
            buffers.AddRange([mean, variance]);
            return new FastBatchNorm(batch, bn.Dim, new FastParameter(bn.gamma), new FastParameter(bn.beta), mean, variance,
                                     runningIsStd: false, bn.Eps, 1 - bn.Momentum, bn.Momentum);
        }
    }

    /// <summary>Refuses a split the model cannot read, naming what is wrong: contexts (N, block_size) of another
    /// block size, targets (N) that do not match them, or a character index outside the vocabulary.</summary>
    public void CheckSplit(ReadOnlySpan<long> x, ReadOnlySpan<long> y, long[] xShape, long[] yShape)
    {
        int vocab = (int)C.Tensor.shape[0], classes = layers[^1].OutWidth;
        if (xShape.Length != 2 || xShape[1] != blockSize)
            throw new ArgumentException($"the contexts have shape ({string.Join(", ", xShape)}); the model reads (N, {blockSize})");
        if (yShape.Length != 1 || yShape[0] != xShape[0])
            throw new ArgumentException($"the targets have shape ({string.Join(", ", yShape)}); the contexts need ({xShape[0]})");
        for (int i = 0; i < x.Length; i++)
            if ((ulong)x[i] >= (ulong)vocab)
                throw new ArgumentException($"context row {i / blockSize} holds character index {x[i]}, outside the vocabulary of {vocab}");
        for (int i = 0; i < y.Length; i++)
            if ((ulong)y[i] >= (ulong)classes)
                throw new ArgumentException($"target {i} is character index {y[i]}, outside the model's {classes} outputs");
    }

    /// <summary>Forward pass over the contexts <paramref name="x"/> (batch × block_size character indices); returns
    /// the mean cross-entropy against <paramref name="y"/> and leaves its gradient in the last layer's OutGrad.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Forward(ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        stepComplete = false;
        // emb = C[Xb]; embcat = emb.view(batch, -1)
        for (int r = 0; r < batch * blockSize; r++)
            C.Data.AsSpan(x[r] * nEmbd, nEmbd).CopyTo(embcat.AsSpan(r * nEmbd, nEmbd));
        var input = embcat;
        foreach (var layer in layers)
        {
            layer.Forward(input);
            input = layer.Out;
        }
        return CrossEntropy(layers[^1].Out, y, layers[^1].OutGrad, layers[^1].OutWidth);
    }

    /// <summary>The step's loss is finite: the layers' running statistics take this step's batch (see
    /// <see cref="FastLayer.Commit"/>).</summary>
    public void Commit()
    {
        foreach (var layer in layers) layer.Commit();
    }

    /// <summary>Backward pass: every parameter's Grad, from the last forward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(ReadOnlySpan<int> x)
    {
        for (int l = layers.Length - 1; l >= 0; l--)
            layers[l].Backward(l == 0 ? embcat : layers[l - 1].Out, l == 0 ? dembcat : layers[l - 1].OutGrad);
        // dC: every row of C gets the gradients of the places it was looked up at
        Array.Clear(C.Grad);
        for (int r = 0; r < batch * blockSize; r++)
            Kernels.Add(C.Grad.AsSpan(x[r] * nEmbd, nEmbd), dembcat.AsSpan(r * nEmbd, nEmbd));
        stepComplete = true;
    }

    /// <summary><c>p.data += -lr * p.grad</c> for every parameter: the product, then the sum, as the plain path's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(double lr)
    {
        float alpha = (float)-lr;
        foreach (var p in Parameters) Floats.Axpby(alpha, p.Grad, 1f, p.Data);
    }

    // loss = mean over rows of logsumexp(logits) − logits[y]; dlogits = (softmax − onehot)/n
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float CrossEntropy(float[] logits, ReadOnlySpan<int> y, float[] dlogits, int vocab)
    {
        int n = y.Length;
        double total = 0;
        float invN = 1f / n;
        for (int i = 0; i < n; i++)
        {
            var row = logits.AsSpan(i * vocab, vocab);
            var grad = dlogits.AsSpan(i * vocab, vocab);
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            float sum = 0;
            for (int j = 0; j < vocab; j++) sum += grad[j] = MathF.Exp(row[j] - max);
            total += Math.Log(sum) + max - row[y[i]];
            float scale = invN / sum;
            for (int j = 0; j < vocab; j++) grad[j] *= scale;
            grad[y[i]] -= invN;
        }
        return (float)(total / n);
    }

    /// <summary>Copies parameters (and their last gradients) and running statistics back into the model's tensors;
    /// for a part 2 net that retains outputs, the last step's outputs and their gradients into its layers.</summary>
    public void WriteBack()
    {
        using var _ = no_grad();
        foreach (var p in Parameters) p.WriteBack();
        foreach (var b in buffers) b.WriteBack();
        // Outputs and their gradients together or none: after a forward pass that failed (its loss was not a number)
        // the outputs are that step's and the gradients the step's before, so none are kept.
        for (int l = 0; l < layers.Length; l++)
            if (sources[l] is Layer layer && layer.RetainOutput)
            {
                if (stepComplete)
                    layer.Retain(FastBuffer.Copy(layers[l].Out, batch, layers[l].OutWidth),
                                 FastBuffer.Copy(layers[l].OutGrad, batch, layers[l].OutWidth));
                else layer.ReleaseOutput();
            }
    }
}
