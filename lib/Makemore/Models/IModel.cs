using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>What <see cref="Trainer"/> needs of a model: its parameters and a forward pass from contexts to logits.
/// A model written in notebook cells (<see cref="Model"/>), a <see cref="Network"/> of layers and part 1's reference MLP implement it.</summary>
public interface IModel
{
    /// <summary>Every trainable tensor, in the lecture's order (the order of <c>parameters</c>).</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Tensors the forward pass updates itself, under no_grad, rather than the optimizer: BatchNorm's running
    /// statistics. None by default.</summary>
    IReadOnlyList<Tensor> Buffers => [];

    /// <summary>Logits (N, vocab) for contexts (N, block_size), in training or evaluation mode.</summary>
    Tensor Forward(Tensor x, bool training);

    /// <summary>Called before each step's forward pass with the step's index and whether it is the loop's last
    /// (<paramref name="last"/>): a model that keeps diagnostics only needs to capture that one. Nothing by default.</summary>
    void BeginStep(int step, bool last) { }

    /// <summary>Called inside the step right after <c>loss.backward()</c>, before the update: where a model that
    /// records diagnostics takes its gradients. Nothing by default.</summary>
    void AfterBackward() { }

    /// <summary>Called once after training stops. Nothing by default.</summary>
    void AfterTraining() { }
}
