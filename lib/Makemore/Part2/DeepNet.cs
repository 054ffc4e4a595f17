using Makemore.Fast;
using Makemore.Layers;
using Makemore.Training;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace Makemore.Part2;

/// <summary>
/// The lecture's deep character MLP: an embedding table C, then a stack of layers, built from the shared generator
/// in the lecture's order (C first, then each Linear's weight). A TorchSharp module, so <c>save</c>/<c>load</c> keep
/// C, every weight and every BatchNorm's running statistics.
/// </summary>
public sealed class DeepNet : nn.Module<Tensor, Tensor>, IModel
{
    // Field names are the state_dict keys: "C", "layers.0.weight", "layers.1.running_mean", ...
    readonly Parameter C;
    readonly LayerStack layers;

    DeepNet(Parameter c, LayerStack layers, DeepNetOptions options, int blockSize) : base(nameof(DeepNet))
    {
        C = c;
        this.layers = layers;
        Options = options;
        BlockSize = blockSize;
        RegisterComponents();
    }

    public DeepNetOptions Options { get; }
    public int BlockSize { get; }
    public int VocabSize => (int)C.shape[0];

    /// <summary>The embedding table (vocab_size, n_embd).</summary>
    public Parameter Embedding => C;

    /// <summary>The lecture's <c>layers</c>.</summary>
    public LayerStack Layers => layers;

    /// <summary><c>[C] + [p for layer in layers for p in layer.parameters()]</c>.</summary>
    public IReadOnlyList<Parameter> Parameters => [C, .. layers.Parameters];
    IReadOnlyList<Tensor> IModel.Parameters => Parameters;
    (FastNet? Net, string? Reason) IModel.CompileFast(int batch) => FastNet.FromLayers(Embedding, Layers, BlockSize, batch, Parameters);
    IReadOnlyList<Tensor> IModel.Buffers => [.. layers.OfType<BatchNorm1d>().SelectMany(bn => new[] { bn.RunningMean, bn.RunningVar })];

    /// <summary><c>sum(p.nelement() for p in parameters)</c>: 46497 without BatchNorm, 47024 with.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    /// <summary>Keep each layer's output and its gradient at every training step, for the diagnostics.</summary>
    public bool RetainOutputs
    {
        get => layers.RetainOutputs;
        set => layers.RetainOutputs = value;
    }

    /// <summary>
    /// Builds the net as the lecture does: C = randn(vocab, n_embd); the layers (each Linear draws its weight);
    /// then, under no-grad, the output layer made less confident and every other Linear's weight times the gain.
    /// </summary>
    public static DeepNet Create(Generator g, DeepNetOptions? options = null, int vocabSize = 27, int blockSize = 3)
    {
        ArgumentNullException.ThrowIfNull(g);
        options ??= new DeepNetOptions();
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
                case BatchNorm1d bn: bn.Gamma.mul_(options.LastLayerScale); break;
                case Linear linear: linear.Weight.mul_(options.LastLayerScale); break;
            }
            // all other layers: apply gain. As the lecture, layers[:-1]: with BatchNorm the output Linear is not the
            // last layer, so it gets the gain too.
            foreach (var linear in list.Take(list.Count - 1).OfType<Linear>())
                linear.Weight.mul_(options.Gain);
        }
        return new DeepNet(C, new LayerStack(list), options, blockSize);
    }

    /// <summary>Logits (N, vocab) for contexts (N, block_size): embed, concatenate, run the layers.</summary>
    public Tensor Forward(Tensor x, bool training)
    {
        SetTraining(training);
        return call(x);
    }

    public override Tensor forward(Tensor x)
    {
        var emb = C[x];                                   // (N, block_size, n_embd)
        var h = emb.view(emb.shape[0], -1);               // concatenate the vectors
        return layers.call(h);
    }

    /// <summary>The lecture's <c>for layer in layers: layer.training = ...</c>.</summary>
    public void SetTraining(bool on)
    {
        // Only where the mode changes: TorchSharp's train() is a native call and a walk over the children, and the
        // training loop calls this every step (the check is one native call per module).
        if (training != on) train(on);
        foreach (var layer in layers)
            if (layer.training != on) layer.train(on);
    }

    // Retained outputs are read after training, so only the last step's are captured: retain_grad and the copies on
    // every step cost the plain loop about a fifth of its time. A run that stops early (diverged, cancelled) leaves
    // none rather than a previous run's.
    void IModel.BeginStep(int step, bool last)
    {
        if (step == 0) layers.ReleaseOutputs();      // what an earlier run kept
        layers.Capturing = last;
    }

    void IModel.AfterBackward()
    {
        if (RetainOutputs) layers.SnapshotOutputs();
    }

    // A loop of the caller's own (which calls no BeginStep) keeps capturing every step.
    void IModel.AfterTraining() => layers.Capturing = true;

    public override string ToString() => $"DeepNet({Options}; {ParameterCount} parameters)";
}
