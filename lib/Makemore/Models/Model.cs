using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>
/// A model written in notebook cells, the way the lecture writes it: the <c>parameters</c> list (tensors the cells
/// drew and set <c>requires_grad</c> on) and a forward-pass function from a minibatch of contexts to logits. The
/// library's training loop, <c>split_loss</c>, sampling and probes take it like any other model, so the cells keep
/// the lines a chapter is about and the library keeps the loop that is the same in every chapter.
/// </summary>
public sealed class Model : IModel
{
    readonly Func<Tensor, bool, Tensor> forward;

    /// <summary>A forward pass that behaves the same in training and evaluation (no BatchNorm).</summary>
    public Model(IEnumerable<Tensor> parameters, Func<Tensor, Tensor> forward)
        : this(parameters, Ignoring(forward)) { }

    /// <summary>A forward pass that takes <c>training</c>: true in the training loop, false in <c>split_loss</c> and
    /// sampling (where the lecture's BatchNorm uses its running statistics). <paramref name="buffers"/>: the tensors
    /// the forward pass updates in place (<c>bnmean_running</c>, <c>bnstd_running</c>), so that a probe of the first
    /// step can put them back.</summary>
    public Model(IEnumerable<Tensor> parameters, Func<Tensor, bool, Tensor> forward, IEnumerable<Tensor>? buffers = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(forward);
        Parameters = parameters.ToList();
        for (int k = 0; k < Parameters.Count; k++)
            if (Parameters[k] is null) throw new ArgumentException($"parameter {k} is null", nameof(parameters));
        this.forward = forward;
        Buffers = buffers?.ToList() ?? [];
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    public IReadOnlyList<Tensor> Buffers { get; }

    /// <summary><c>sum(p.nelement() for p in parameters)</c>.</summary>
    public long ParameterCount => Parameters.Sum(p => p.numel());

    public Tensor Forward(Tensor x, bool training) => forward(x, training);

    static Func<Tensor, bool, Tensor> Ignoring(Func<Tensor, Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return (x, _) => forward(x);
    }

    public override string ToString() => $"Model({Parameters.Count} tensors, {ParameterCount} parameters)";
}
