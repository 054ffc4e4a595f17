using Makemore.Layers;
using Makemore.Text;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using ModuleList = TorchSharp.Modules.ModuleList<Makemore.Layers.Layer>;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>
/// The lecture's model from part 2 on: the embedding table <c>C</c> and the <c>layers</c> list, any layers in any order
/// (a layer written in a cell included). Its forward pass is the lecture's:
/// <code>
/// emb = C[X]                       # (N, block_size, n_embd)
/// x = emb.view(emb.shape[0], -1)   # concatenate the vectors
/// for layer in layers: x = layer(x)
/// </code>
/// and <see cref="Parameters"/> is <c>[C] + [p for layer in layers for p in layer.parameters()]</c>. The notebooks
/// build it from their cells (<c>new Network(C, layers)</c>); <see cref="Create"/> builds notebook 07's net. The
/// training loop, <c>split_loss</c>, sampling and the diagnostics take it like any other model; the fast path compiles
/// it when every layer is a library Linear, BatchNorm1d or Tanh. Every layer keeps its last output and gradient (the
/// lecture's <c>layer.out</c>) from the last training step. A TorchSharp module: <c>save</c>/<c>load</c> keep C, every
/// weight and BatchNorm's running statistics (state_dict keys "C", "layers.0.weight", "layers.1.running_mean", …).
/// Disposing it frees those tensors too, which a net built from cells shares with the cells: dispose only a net you
/// own (as one from <see cref="Create"/>).
/// </summary>
public sealed class Network : nn.Module<Tensor, Tensor>, IModel
{
    // Field names are the state_dict keys.
    readonly Tensor C_;
    readonly ModuleList layers;

    public Network(Tensor C, IEnumerable<Layer> layers) : base(nameof(Network))
    {
        ArgumentNullException.ThrowIfNull(C);
        ArgumentNullException.ThrowIfNull(layers);
        if (C.dim() != 2) throw new ArgumentException($"C must be (vocab_size, n_embd), got {PyFormat.Shape(C.shape)}", nameof(C));
        var list = layers.ToArray();
        if (list.Length == 0) throw new ArgumentException("the layers list is empty", nameof(layers));
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is null) throw new ArgumentException($"layer {i} is null", nameof(layers));
            list[i].RetainOutput = true;
        }
        C_ = C;
        Layers = list;
        this.layers = new ModuleList(list);
        Parameters = [C, .. list.SelectMany(layer => layer.Parameters)];
        // Registered by hand under the lecture's names (the field cannot be called C next to the property). C drawn in
        // a cell is a plain tensor with requires_grad, saved as a buffer; Create's is a Parameter.
        if (C is Parameter p) register_parameter("C", p);
        else register_buffer("C", C);
        register_module("layers", this.layers);
    }

    /// <summary>The embedding table (vocab_size, n_embd).</summary>
    public Tensor C => C_;

    /// <summary>The lecture's <c>layers</c>.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary><c>[C] + [p for layer in layers for p in layer.parameters()]</c>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The layers' running statistics (BatchNorm1d's running_mean and running_var).</summary>
    public IReadOnlyList<Tensor> Buffers => [.. Layers.SelectMany(layer => layer.Buffers)];

    /// <summary>What <see cref="Create"/> built it from; null for a net built from cells.</summary>
    public NetworkOptions? Options { get; private init; }

    /// <summary>block_size, when <see cref="Create"/> built it; else the fast path reads it off the first layer.</summary>
    internal int? BlockSize { get; private init; }

    /// <summary><c>sum(p.nelement() for p in parameters)</c>: 46497 for notebook 07's net, 47024 with BatchNorm.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    /// <summary>
    /// Notebook 07's net, built as the lecture does: C = randn(vocab, n_embd); the layers (each Linear draws its
    /// weight); then, under no-grad, the output layer made less confident and every other Linear's weight times the gain.
    /// </summary>
    public static Network Create(Generator g, NetworkOptions? options = null, int vocabSize = 27, int blockSize = 3)
    {
        ArgumentNullException.ThrowIfNull(g);
        options ??= new NetworkOptions();
        options.Validate();
        if (vocabSize < 1) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "vocab_size must be at least 1");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block_size must be at least 1");

        var C = new Parameter(randn(vocabSize, options.NEmbd, generator: g));
        var list = new List<Layer>();
        int fanIn = options.NEmbd * blockSize;
        bool bias = !options.BatchNorm;          // a BatchNorm right after makes a bias useless: its beta does the job
        for (int i = 0; i < options.HiddenBlocks; i++)
        {
            list.Add(new Linear(fanIn, options.NHidden, bias, g));
            if (options.BatchNorm) list.Add(new BatchNorm1d(options.NHidden));
            if (options.Tanh) list.Add(new Tanh());
            fanIn = options.NHidden;
        }
        list.Add(new Linear(fanIn, vocabSize, bias, g));
        if (options.BatchNorm) list.Add(new BatchNorm1d(vocabSize));

        using (no_grad())
        {
            // last layer: make less confident
            switch (list[^1])
            {
                case BatchNorm1d bn: bn.gamma.mul_(options.LastLayerScale); break;
                case Linear linear: linear.weight.mul_(options.LastLayerScale); break;
            }
            // all other layers: apply gain. As the lecture, layers[:-1]: with BatchNorm the output Linear is not the
            // last layer, so it gets the gain too.
            foreach (var linear in list.Take(list.Count - 1).OfType<Linear>())
                linear.weight.mul_(options.Gain);
        }
        return new Network(C, list) { Options = options, BlockSize = blockSize };
    }

    /// <summary>Logits (N, vocab) for contexts (N, block_size). <paramref name="training"/> is the lecture's
    /// <c>layer.training</c>: false in split_loss and sampling, where BatchNorm uses its running statistics.</summary>
    public Tensor Forward(Tensor X, bool training)
    {
        foreach (var layer in Layers)
            if (layer.training != training) layer.train(training);   // train() walks the children natively: only on a change
        return forward(X);
    }

    public override Tensor forward(Tensor X)
    {
        var emb = C_[X];                                  // (N, block_size, n_embd)
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

    public override string ToString() => Options is { } o
        ? $"Network({o}; {ParameterCount} parameters)"
        : $"Network(C {PyFormat.Shape(C_.shape)}, {string.Join(", ", Layers)}; {ParameterCount} parameters)";
}
