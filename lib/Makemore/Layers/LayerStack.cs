using System.Collections;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// The lecture's <c>layers</c> list as one module: the layers run in order (<c>for layer in layers: x = layer(x)</c>),
/// their parameters are listed in that order, and the diagnostics can switch output retention on for all of them.
/// </summary>
public sealed class LayerStack : nn.Module<Tensor, Tensor>, IReadOnlyList<Layer>
{
    readonly Layer[] layers;

    public LayerStack(IEnumerable<Layer> layers) : base(nameof(LayerStack))
    {
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = layers.ToArray();
        if (this.layers.Length == 0) throw new ArgumentException("a layer stack needs at least one layer", nameof(layers));
        // Registered by position, as torch.nn.Sequential does: the state_dict keys read "0.weight", "1.running_mean"...
        for (int i = 0; i < this.layers.Length; i++)
            register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), this.layers[i]);
    }

    public Layer this[int index] => layers[index];
    public int Count => layers.Length;
    public IEnumerator<Layer> GetEnumerator() => ((IEnumerable<Layer>)layers).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><c>[p for layer in layers for p in layer.parameters()]</c>.</summary>
    public IReadOnlyList<Parameter> Parameters => layers.SelectMany(l => l.Parameters).ToList();

    /// <summary>Keep every layer's output and its gradient for the diagnostics (see <see cref="Layer.Out"/>).</summary>
    public bool RetainOutputs
    {
        get => layers.Any(l => l.RetainOutput);
        set { foreach (var l in layers) { l.RetainOutput = value; if (!value) l.ReleaseOutput(); } }
    }

    /// <summary>Frees every layer's kept output and gradient.</summary>
    internal void ReleaseOutputs()
    {
        foreach (var l in layers) l.ReleaseOutput();
    }

    /// <summary>Whether the retaining layers capture the step about to run (see <see cref="Layer.Capturing"/>).</summary>
    internal bool Capturing
    {
        set { foreach (var l in layers) l.Capturing = value; }
    }

    public override Tensor forward(Tensor x) => Layer.Run(layers, x);

    /// <summary>Right after backward: every layer copies its output and gradient out of the step.</summary>
    public void SnapshotOutputs()
    {
        foreach (var l in layers) l.SnapshotOutput();
    }
}
