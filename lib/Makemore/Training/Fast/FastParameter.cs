using Makemore.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>A parameter's values and gradient as plain float arrays for the fast path, copied from the tensor when
/// training starts and back into it (values, and the last step's gradient as <c>p.grad</c>) when it stops.</summary>
internal sealed class FastParameter
{
    public FastParameter(Tensor tensor)
    {
        Tensor = tensor;
        Data = Floats.Of(tensor);
        Grad = new float[Data.Length];
    }

    public Tensor Tensor { get; }
    public float[] Data { get; }
    public float[] Grad { get; }

    /// <summary>Values into the tensor; the gradient into <c>p.grad</c>, where the plain loop would have left it.</summary>
    public void WriteBack()
    {
        using (var values = Tensor.data<float>()) values.CopyFrom(Data, 0, 0);
        // The parameter keeps its own reference to the gradient: ours can go at once, leaving no live tensor behind.
        using var grad = FastBuffer.Copy(Grad, Tensor.shape);
        Tensor.grad = grad;
    }
}

/// <summary>A registered buffer (e.g. a BatchNorm running statistic) as a float array, written back in place.</summary>
internal sealed class FastBuffer(Tensor buffer)
{
    public float[] Data { get; } = Floats.Of(buffer);

    public void WriteBack()
    {
        using var values = buffer.data<float>();
        values.CopyFrom(Data, 0, 0);
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/>, outside any dispose scope.</summary>
    internal static Tensor Copy(float[] data, params long[] shape)
    {
        var t = zeros(shape).DetachFromDisposeScope();
        using (var values = t.data<float>()) values.CopyFrom(data, 0, 0);
        return t;
    }
}
