using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// One layer of the lecture's hand-written "PyTorch-ified" network: a TorchSharp module (so <c>save</c>/<c>load</c>
/// carry its parameters and buffers) that can also keep its last output and that output's gradient, as the lecture's
/// layers keep <c>self.out</c> and call <c>out.retain_grad()</c> for the diagnostics.
/// </summary>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    // The live output of the last training forward pass, owned by the step's dispose scope: only read in
    // SnapshotOutput, right after backward, while the scope is still open.
    Tensor? pending;

    protected Layer(string name) : base(name) { }

    /// <summary>Keep <see cref="Out"/> and <see cref="OutGrad"/>? Off by default, so plain training pays nothing.</summary>
    public bool RetainOutput { get; set; }

    /// <summary>With <see cref="RetainOutput"/> on, whether this step's output is captured: the training loop turns it
    /// on for its last step only, since the diagnostics read the last step's.</summary>
    internal bool Capturing { get; set; } = true;

    /// <summary>The layer's output from the last training step (the lecture's <c>layer.out</c>), detached; null until
    /// a step ran with <see cref="RetainOutput"/> on. (A property, not a field: it must not become a buffer.)</summary>
    public Tensor? Out { get; private set; }

    /// <summary>The gradient of the loss with respect to <see cref="Out"/> (the lecture's <c>layer.out.grad</c>).</summary>
    public Tensor? OutGrad { get; private set; }

    /// <summary>The trainable tensors in the lecture's order (<c>layer.parameters()</c>).</summary>
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The class name the lecture prints (<c>layer.__class__.__name__</c>).</summary>
    public string Kind => GetType().Name;

    /// <summary>Every layer's forward ends here: asks autograd to keep the output's gradient when diagnostics want it.</summary>
    protected Tensor Emit(Tensor output)
    {
        if (RetainOutput && Capturing && training && output.requires_grad)
        {
            output.retain_grad();
            pending = output;
        }
        return output;
    }

    /// <summary>Called right after <c>loss.backward()</c>: copies the output and its gradient out of the step's dispose
    /// scope and frees the previous step's copies, so nothing accumulates however long the run.</summary>
    public void SnapshotOutput()
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
    public void ReleaseOutput()
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
