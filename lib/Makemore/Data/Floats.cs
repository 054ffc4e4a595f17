using static TorchSharp.torch;

namespace Makemore.Data;

/// <summary>A tensor's values as a float array, the one copy every room uses (snapshots, charts, the fast path).</summary>
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
}
