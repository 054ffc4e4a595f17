using Makemore.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>
/// The lecture's two-layer MLP: embed the block_size previous characters (C), concatenate, a tanh hidden layer
/// (W1, b1), an output layer (W2, b2) giving the logits of the next character; optionally the lecture's BatchNorm
/// between emb·W1 and the tanh. Every parameter is drawn from the shared generator in the lecture's order
/// (C, W1, b1, W2, b2) and scaled as <see cref="MlpConfig"/> says.
/// </summary>
internal sealed class Mlp : nn.Module, IModel
{
    // The lecture's names; null when the stage has no such tensor (b1 and bn in some stages).
    public readonly Parameter C;
    public readonly Parameter W1;
    public readonly Parameter? b1;
    public readonly Parameter W2;
    public readonly Parameter b2;
    public readonly BatchNormLayer? bn;

    public MlpConfig Config { get; }
    public int BlockSize { get; }
    public int VocabSize { get; }

    /// <summary>Draws the parameters from <paramref name="g"/>: C (vocab, n_embd), W1 (n_embd·block_size, n_hidden),
    /// b1 (n_hidden) unless the stage has none, W2 (n_hidden, vocab), b2 (vocab).</summary>
    public Mlp(MlpConfig config, int vocabSize, int blockSize, Generator g) : base(nameof(Mlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(g);
        Config = config;
        VocabSize = vocabSize;
        BlockSize = blockSize;
        int fanIn = config.NEmbd * blockSize;
        C = Draw(g, InitScale.One, vocabSize, config.NEmbd);
        W1 = Draw(g, config.W1, fanIn, config.NHidden);
        b1 = config.B1 is InitScale s ? Draw(g, s, config.NHidden) : null;
        W2 = Draw(g, config.W2, config.NHidden, vocabSize);
        b2 = Draw(g, config.B2, vocabSize);
        bn = config.UseBatchNorm ? new BatchNormLayer(config.NHidden) : null;
        RegisterComponents();

        // The lecture's `parameters` list: [C, W1, b1, W2, b2], or [C, W1, W2, b2, bngain, bnbias] with BatchNorm.
        var list = new List<Parameter> { C, W1 };
        if (b1 is not null) list.Add(b1);
        list.AddRange([W2, b2]);
        if (bn is not null) list.AddRange([bn.bngain, bn.bnbias]);
        Parameters = list;
    }

    /// <summary>A fresh generator seeded <paramref name="seed"/>, and the model drawn from it. The generator is
    /// returned too: the training loop keeps drawing its minibatches from it, as the lecture does.</summary>
    public static (Mlp Model, Generator G) Create(MlpConfig config, int vocabSize, int blockSize, ulong seed = LectureSettings.Seed)
    {
        var g = new Generator(seed);
        return (new Mlp(config, vocabSize, blockSize, g), g);
    }

    public IReadOnlyList<Parameter> Parameters { get; }
    IReadOnlyList<Tensor> IModel.Parameters => Parameters;
    IReadOnlyList<Tensor> IModel.Buffers => bn is null ? [] : [bn.bnmean_running, bn.bnstd_running];

    /// <summary><c>sum(p.nelement() for p in parameters)</c>: 11897, or 12097 with BatchNorm.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    public Tensor Forward(Tensor x, bool training) => Trace(x, training).Logits;

    /// <summary>The forward pass, keeping the hidden layer's output h (for the saturation pictures) and the logits.</summary>
    /// <param name="x">Contexts (N, block_size).</param>
    /// <param name="training">BatchNorm: batch statistics (and update the running ones) or the running ones.</param>
    /// <param name="statistics">Evaluation only: normalise with these instead of the running statistics.</param>
    public MlpActivations Trace(Tensor x, bool training, BatchNormStatistics? statistics = null)
    {
        var hpreact = Preactivation(x);
        if (bn is not null) hpreact = bn.Forward(hpreact, training, statistics);
        var h = tanh(hpreact);                            // hidden layer
        var logits = h.mm(W2) + b2;                   // output layer
        return new MlpActivations(h, logits);
    }

    /// <summary>emb·W1 (+ b1): the hidden layer's pre-activation, before any BatchNorm.</summary>
    public Tensor Preactivation(Tensor x)
    {
        var emb = C[x];                                   // (N, block_size, n_embd)
        var embcat = emb.view(emb.shape[0], -1);          // concatenate the vectors: (N, block_size * n_embd)
        var hpreact = embcat.mm(W1);                  // hidden layer pre-activation
        return b1 is null ? hpreact : hpreact + b1;
    }

    /// <summary>A view of this model that evaluates with fixed BatchNorm statistics (e.g. from
    /// <see cref="BatchNormCalibration"/>) instead of the running ones; training through it is not allowed.</summary>
    public IModel WithStatistics(BatchNormStatistics statistics)
    {
        if (bn is null) throw new InvalidOperationException($"the stage '{Config.Name}' has no BatchNorm layer");
        return new FixedStatistics(this, statistics);
    }

    sealed class FixedStatistics(Mlp model, BatchNormStatistics statistics) : IModel
    {
        public IReadOnlyList<Tensor> Parameters => model.Parameters;
        public Tensor Forward(Tensor x, bool training) => training
            ? throw new InvalidOperationException("a model with fixed BatchNorm statistics is for evaluation only")
            : model.Trace(x, training: false, statistics).Logits;
    }

    // randn(shape) from the generator, scaled; a parameter that outlives any dispose scope it was created in.
    static Parameter Draw(Generator g, InitScale scale, params long[] shape)
    {
        Tensor t;
        using (NewDisposeScope())
            t = scale.Apply(randn(shape, generator: g)).DetachFromDisposeScope();
        var p = new Parameter(t);
        p.DetachFromDisposeScope();
        return p;
    }
}

/// <summary>What one forward pass computed: the tanh's output h (N, n_hidden) and the logits (N, vocab).</summary>
internal sealed record MlpActivations(Tensor H, Tensor Logits);
