using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Diagnostics;

/// <summary>Statistics computed the way the lecture computes them: float32 reductions on the tensor, read out as
/// the float Python would format (<c>t.mean()</c>, <c>t.std()</c> — unbiased — and so on).</summary>
internal static class TensorStats
{
    public static double Mean(Tensor t) { using var m = t.mean(); return m.item<float>(); }

    public static double Std(Tensor t) { using var s = t.std(); return s.item<float>(); }

    /// <summary><c>(t.abs() > threshold).float().mean()*100</c>, all in float32 as the lecture.</summary>
    public static double PercentAbove(Tensor t, double threshold)
    {
        using var scope = NewDisposeScope();
        return ((t.abs() > threshold).to(float32).mean() * 100).item<float>();
    }

    /// <summary><c>t.std() / p.std()</c>: a float32 division of the two float32 stds.</summary>
    public static double StdRatio(Tensor t, Tensor p)
    {
        using var scope = NewDisposeScope();
        return (t.std() / p.std()).item<float>();
    }
}
