using Makemore.Fast;
using Makemore.Training;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// The lecture's model as the notebook cells build it: the embedding table <c>C</c> and the <c>layers</c> list, any
/// layers in any order (a layer written in a cell included). Its forward pass is the lecture's:
/// <code>
/// emb = C[X]                       # (N, block_size, n_embd)
/// x = emb.view(emb.shape[0], -1)   # concatenate the vectors
/// for layer in layers: x = layer(x)
/// </code>
/// and <see cref="Parameters"/> is <c>[C] + [p for layer in layers for p in layer.parameters()]</c>. The training loop,
/// <c>split_loss</c>, sampling and the diagnostics take it like any other model; the fast path compiles it when every
/// layer is a library Linear, BatchNorm1d or Tanh. Every layer keeps its last output and gradient (the lecture's
/// <c>layer.out</c>) from the last training step.
/// </summary>
public sealed class Network : IModel
{
    public Network(Tensor C, IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(C);
        ArgumentNullException.ThrowIfNull(layers);
        if (C.dim() != 2) throw new ArgumentException($"C must be (vocab_size, n_embd), got {Diagnostics.PyFormat.Shape(C.shape)}", nameof(C));
        this.C = C;
        Layers = layers.ToList();
        if (Layers.Count == 0) throw new ArgumentException("the layers list is empty", nameof(layers));
        for (int i = 0; i < Layers.Count; i++)
        {
            if (Layers[i] is null) throw new ArgumentException($"layer {i} is null", nameof(layers));
            Layers[i].RetainOutput = true;
        }
        Parameters = [C, .. Layers.SelectMany(layer => layer.Parameters)];
    }

    /// <summary>The embedding table (vocab_size, n_embd).</summary>
    public Tensor C { get; }

    /// <summary>The lecture's <c>layers</c>.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary><c>[C] + [p for layer in layers for p in layer.parameters()]</c>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The layers' running statistics (BatchNorm1d's running_mean and running_var).</summary>
    public IReadOnlyList<Tensor> Buffers => [.. Layers.SelectMany(layer => layer.Buffers)];

    // The fast path compiles the layers themselves (C and a list of Linear, BatchNorm1d, Tanh).
    (FastNet? Net, string? Reason) IModel.CompileFast(int batch) => FastNet.FromLayers(C, Layers, null, batch, Parameters);

    /// <summary><c>sum(p.nelement() for p in parameters)</c>.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    /// <summary>Logits (N, vocab) for contexts (N, block_size). <paramref name="training"/> is the lecture's
    /// <c>layer.training</c>: false in split_loss and sampling, where BatchNorm uses its running statistics.</summary>
    public Tensor Forward(Tensor X, bool training)
    {
        foreach (var layer in Layers)
            if (layer.training != training) layer.train(training);   // train() walks the children natively: only on a change
        var emb = C[X];                                   // (N, block_size, n_embd)
        var x = emb.view(emb.shape[0], -1);               // concatenate the vectors
        return Layer.Run(Layers, x);
    }

    // Only the last step's outputs are read, so only the last step is captured (retain_grad and the copies on every
    // step would cost the loop about a fifth of its time). A run that stops early keeps none rather than an older one.
    void IModel.BeginStep(int step, bool last)
    {
        foreach (var layer in Layers)
        {
            if (step == 0) layer.ReleaseOutput();
            layer.Capturing = last;
        }
    }

    void IModel.AfterBackward()
    {
        foreach (var layer in Layers) layer.SnapshotOutput();
    }

    // A loop of the caller's own (which calls no BeginStep) keeps capturing every step.
    void IModel.AfterTraining()
    {
        foreach (var layer in Layers) layer.Capturing = true;
    }

    public override string ToString() => $"Network(C {Diagnostics.PyFormat.Shape(C.shape)}, {string.Join(", ", Layers)}; {ParameterCount} parameters)";
}
