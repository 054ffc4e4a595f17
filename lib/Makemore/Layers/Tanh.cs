using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>The lecture's <c>Tanh</c> layer: <c>torch.tanh(x)</c>, no parameters. A class of its own so that the net
/// is a plain list of layers and the diagnostics can find the non-linearities by type.</summary>
public sealed class Tanh : Layer
{
    public Tanh() : base(nameof(Tanh)) { }

    public override Tensor forward(Tensor x) => x.tanh();
}
