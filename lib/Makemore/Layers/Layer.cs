using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// One layer of the lecture's hand-written "PyTorch-ified" network: a TorchSharp module with a <c>forward</c> and its
/// <see cref="Parameters"/>. Write your own by deriving from it in a cell:
/// <code>
/// class ReLU : Layer
/// {
///     public override Tensor forward(Tensor x) => x.relu();
/// }
/// </code>
/// Like the lecture's <c>self.out</c>, the network loop (<see cref="Run"/>) keeps each layer's last output and, after
/// backward, that output's gradient (<see cref="Out"/>, <see cref="OutGrad"/>) for the diagnostics; a layer does
/// nothing for that itself.
/// </summary>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    // The live output of the last training forward pass, owned by the step's dispose scope: only read in
    // SnapshotOutput, right after backward, while the scope is still open.
    Tensor? pending;

    protected Layer(string? name = null) : base(name ?? nameof(Layer)) { }

    /// <summary>The trainable tensors in the lecture's order (<c>layer.parameters()</c>). None by default.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Tensors the layer updates itself in training, not the optimizer (BatchNorm's running statistics).
    /// None by default.</summary>
    public virtual IReadOnlyList<Tensor> Buffers => [];

    /// <summary>The class name the lecture prints (<c>layer.__class__.__name__</c>).</summary>
    public string Kind => GetType().Name;

    /// <summary>Keep <see cref="Out"/> and <see cref="OutGrad"/>? The network sets it for every layer.</summary>
    internal bool RetainOutput { get; set; }

    /// <summary>With <see cref="RetainOutput"/> on, whether this step's output is captured: the training loop turns it
    /// on for its last step only, since the diagnostics read the last step's.</summary>
    internal bool Capturing { get; set; } = true;

    /// <summary>The layer's output from the last training step (the lecture's <c>layer.out</c>), detached; null until
    /// a step ran with <see cref="RetainOutput"/> on. (A property, not a field: it must not become a buffer.)</summary>
    public Tensor? Out { get; private set; }

    /// <summary>The gradient of the loss with respect to <see cref="Out"/> (the lecture's <c>layer.out.grad</c>).</summary>
    public Tensor? OutGrad { get; private set; }

    /// <summary>
    /// The lecture's <c>for layer in layers: x = layer(x)</c>, for any layers: keeps each output for the diagnostics
    /// (<c>retain_grad</c> when training), and turns an error inside a layer into one that names the layer and its
    /// position, e.g. "layer 2 (Linear): Linear(200, 100) takes inputs of shape (N, 200), got (32, 100)".
    /// </summary>
    public static Tensor Run(IReadOnlyList<Layer> layers, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i] ?? throw new ArgumentException($"layer {i} is null", nameof(layers));
            try
            {
                x = layer.call(x);
            }
            catch (Exception e) when (e is not LayerException and not OperationCanceledException)
            {
                throw new LayerException(i, layer, e);
            }
            layer.Keep(x);
        }
        return x;
    }

    // The lecture's `out.retain_grad()` (in its diagnostic loop, on every layer's out).
    void Keep(Tensor output)
    {
        if (RetainOutput && Capturing && training && output.requires_grad)
        {
            output.retain_grad();
            pending = output;
        }
    }

    /// <summary>Called right after <c>loss.backward()</c>: copies the output and its gradient out of the step's dispose
    /// scope and frees the previous step's copies, so nothing accumulates however long the run.</summary>
    internal void SnapshotOutput()
    {
        if (pending is null) return;
        using var grad = pending.grad;
        ReleaseOutput();
        Out = pending.detach().DetachFromDisposeScope();
        OutGrad = grad?.detach().DetachFromDisposeScope();   // a fresh grad tensor every step: no copy needed
        pending = null;
    }

    /// <summary>Keeps <paramref name="output"/> and <paramref name="grad"/> (owned from now on) as the last step's, in
    /// place of the previous ones: how the fast path, which has no autograd graph, hands over its last step.</summary>
    internal void Retain(Tensor output, Tensor grad)
    {
        ReleaseOutput();
        (Out, OutGrad, pending) = (output, grad, null);
    }

    /// <summary>Frees the kept output and gradient.</summary>
    internal void ReleaseOutput()
    {
        Out?.Dispose();
        OutGrad?.Dispose();
        Out = OutGrad = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) ReleaseOutput();
        base.Dispose(disposing);
    }

    public override string ToString() => Kind;
}

/// <summary>An error inside one layer of a network, naming the layer's position and kind.</summary>
public sealed class LayerException(int index, Layer layer, Exception inner)
    : Exception($"layer {index} ({layer.Kind}): {FirstLine(inner.Message)}", inner)
{
    public int Index { get; } = index;

    // libtorch appends its C++ stack trace to the message: the first line says what is wrong.
    static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
