using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Data;

/// <summary>A tensor's values as floats: the one copy every room uses (snapshots, charts, the fast path), and the
/// in-place view the training step's elementwise updates use.</summary>
internal static class Floats
{
    /// <summary>Every element in row-major order, as float32 (booleans as 0 and 1), detached from autograd.</summary>
    public static float[] Of(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var scope = NewDisposeScope();
        var flat = t.detach().reshape(-1).to(float32);
        using var values = flat.data<float>();
        return values.ToArray();
    }

    /// <summary>The elements of a contiguous float32 CPU tensor in place: a span over the tensor's own memory, valid
    /// while the tensor lives. False for any other tensor, which the caller then updates with tensor ops.</summary>
    public static bool TryInPlace(Tensor t, out Span<float> values)
    {
        bool dense = t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();
        values = dense ? MemoryMarshal.Cast<byte, float>(t.bytes) : default;
        return dense;
    }

    /// <summary>
    /// y ← a·x + b·y, element by element, rounded as libtorch rounds <c>y.mul_(b).add_(x * a)</c>: each product to
    /// float, then the sum (.NET never fuses a multiply and an add on its own, so there is no fused multiply-add here
    /// to round once). With b = 1 this is SGD's <c>p += -lr * grad</c>, since p·1 is p exactly.
    /// </summary>
    public static void Axpby(float a, ReadOnlySpan<float> x, float b, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Axpby: x holds {x.Length} floats and y {y.Length}; they must be as long");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> va = new(a), vb = new(b);
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                (va * new Vector<float>(x[i..]) + vb * new Vector<float>(y[i..])).CopyTo(y[i..]);
        }
        for (; i < y.Length; i++) y[i] = a * x[i] + b * y[i];
    }
}
