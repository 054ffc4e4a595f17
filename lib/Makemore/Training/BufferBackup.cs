using Makemore.Data;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>
/// A model's buffers (BatchNorm's running statistics) as they were before a training step. They move during the forward
/// pass, before the loss can be checked, so a step that fails puts them back and the model keeps its last good state.
/// Dense float32 buffers (all of the library's) are copied into one managed array: no native call and no tensor a step.
/// Any other buffers go into one tensor, by a cat of flat views of them.
/// </summary>
internal sealed class BufferBackup : IDisposable
{
    readonly IReadOnlyList<Tensor> buffers;
    readonly Tensor[] flat;
    readonly float[]? values;
    Tensor? saved;

    public BufferBackup(IReadOnlyList<Tensor> buffers)
    {
        this.buffers = buffers;
        flat = [.. buffers.Select(b => b.view(-1).DetachFromDisposeScope())];
        bool dense = buffers.All(b => Floats.TryInPlace(b, out _));
        values = dense ? new float[buffers.Sum(b => b.numel())] : null;
    }

    /// <summary>Keeps the buffers' values; a tensor copy belongs to the step's dispose scope.</summary>
    public void Save()
    {
        if (buffers.Count == 0) return;
        if (values is null) { saved = cat(flat, 0); return; }
        int offset = 0;
        foreach (var b in buffers)
        {
            Floats.TryInPlace(b, out var span);
            span.CopyTo(values.AsSpan(offset));
            offset += span.Length;
        }
    }

    /// <summary>Puts back the values of the last <see cref="Save"/>.</summary>
    public void Restore()
    {
        if (buffers.Count == 0) return;
        if (values is null)
        {
            using var _ = no_grad();
            long start = 0;
            foreach (var b in flat)
            {
                b.copy_(saved!.narrow(0, start, b.shape[0]));
                start += b.shape[0];
            }
            return;
        }
        int offset = 0;
        foreach (var b in buffers)
        {
            Floats.TryInPlace(b, out var span);
            values.AsSpan(offset, span.Length).CopyTo(span);
            offset += span.Length;
        }
    }

    public void Dispose()
    {
        foreach (var t in flat) t.Dispose();
    }
}
