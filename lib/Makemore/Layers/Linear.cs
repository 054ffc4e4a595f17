using Makemore.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// The lecture's <c>Linear</c>: <c>x @ weight (+ bias)</c>. Unlike <c>torch.nn.Linear</c> the weight is stored
/// (fan_in, fan_out) and drawn as <c>randn(fan_in, fan_out) / sqrt(fan_in)</c> from the shared generator, so that every
/// output starts with roughly the variance of one input ("Kaiming" without the gain; the net multiplies the gain in).
/// The bias starts at zero and is not drawn.
/// </summary>
public sealed class Linear : Layer
{
    // The lecture's names, which are also the state_dict keys (as torch.nn.Linear's).
    public readonly Parameter weight;
    /// <summary>Null when built with <c>bias: false</c> (a BatchNorm follows and its beta does the job).</summary>
    public readonly Parameter? bias;

    public Linear(int fanIn, int fanOut, bool bias = true, Generator? generator = null) : base(nameof(Linear))
    {
        if (fanIn < 1) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fan_in must be at least 1");
        if (fanOut < 1) throw new ArgumentOutOfRangeException(nameof(fanOut), fanOut, "fan_out must be at least 1");
        FanIn = fanIn;
        FanOut = fanOut;
        // Two separate ops, as the lecture: randn(...) / fan_in**0.5 (folding a later gain into one multiply would
        // round differently and break bit-equality with PyTorch).
        using (var drawn = randn(fanIn, fanOut, generator: generator))
            weight = new Parameter(drawn / Math.Sqrt(fanIn));
        this.bias = bias ? new Parameter(zeros(fanOut)) : null;
        RegisterComponents();
    }

    public int FanIn { get; }
    public int FanOut { get; }

    public override IReadOnlyList<Parameter> Parameters => bias is null ? [weight] : [weight, bias];

    public override Tensor forward(Tensor x)
    {
        // `mm`, not `matmul`: TorchSharp 0.107's native matmul lets libtorch's error on a wrong size end the whole
        // process; mm throws (and for 2-D operands computes the same bits). The input is checked only when it failed,
        // so a training step pays nothing for the clear message.
        Tensor output;
        try { output = x.mm(weight); }
        catch (System.Runtime.InteropServices.ExternalException) when (x.dim() != 2 || x.size(1) != FanIn)
        {
            throw new ArgumentException($"Linear({FanIn}, {FanOut}) takes inputs of shape (N, {FanIn}), got " +
                                        PyFormat.Shape(x.shape));
        }
        if (bias is not null) output = output + bias;
        return output;
    }
}
