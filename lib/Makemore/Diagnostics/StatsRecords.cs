using System.Globalization;
using Makemore.Text;

namespace Makemore.Diagnostics;

/// <summary>Viz #1: one layer's output (the lecture's <c>layer.out</c>) at the end of the run.</summary>
/// <param name="Index">The layer's position in the stack (the lecture's <c>i</c>).</param>
/// <param name="Kind">The layer's class name, e.g. "Tanh".</param>
/// <param name="Mean">t.mean().</param>
/// <param name="Std">t.std() (unbiased).</param>
/// <param name="Saturated">Percent of the outputs with |t| &gt; 0.97 (tanh's flat tails, where gradients die).</param>
/// <param name="Histogram">The outputs' distribution.</param>
public sealed record LayerActivationStats(int Index, string Kind, double Mean, double Std, double Saturated, Histogram Histogram)
{
    /// <summary>The legend entry the lecture uses: <c>layer 1 (Tanh)</c>.</summary>
    public string Label => $"layer {Index} ({Kind})";

    /// <summary><c>'layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%'</c>.</summary>
    public override string ToString() =>
        $"layer {Index} ({Kind,10}): mean {PyFormat.Fixed(Mean, 2, plus: true)}, std {PyFormat.Fixed(Std, 2)}, " +
        $"saturated: {PyFormat.Fixed(Saturated, 2)}%";
}

/// <summary>Viz #2: the gradient of the loss with respect to one layer's output (<c>layer.out.grad</c>).</summary>
public sealed record LayerGradientStats(int Index, string Kind, double Mean, double Std, Histogram Histogram)
{
    public string Label => $"layer {Index} ({Kind})";

    /// <summary><c>'layer %d (%10s): mean %+f, std %e'</c>.</summary>
    public override string ToString() =>
        $"layer {Index} ({Kind,10}): mean {PyFormat.Fixed(Mean, 6, plus: true)}, std {PyFormat.Exponent(Std)}";
}

/// <summary>Viz #3: the gradient of one 2-D parameter (C and the Linear weights) and how big it is next to the
/// parameter itself.</summary>
/// <param name="Index">The parameter's position in <c>parameters</c>.</param>
/// <param name="Shape">The parameter's shape.</param>
/// <param name="Mean">grad.mean().</param>
/// <param name="Std">grad.std().</param>
/// <param name="GradToData">grad.std() / param.std().</param>
/// <param name="Histogram">The gradient's distribution.</param>
public sealed record WeightGradientStats(int Index, long[] Shape, double Mean, double Std, double GradToData, Histogram Histogram)
{
    /// <summary>The lecture's legend: <c>f'{i} {tuple(p.shape)}'</c>, e.g. <c>0 (27, 10)</c>.</summary>
    public string Label => $"{Index} {PyFormat.Shape(Shape)}";

    /// <summary><c>'weight %10s | mean %+f | std %e | grad:data ratio %e'</c>.</summary>
    public override string ToString() =>
        $"weight {PyFormat.Shape(Shape, 10)} | mean {PyFormat.Fixed(Mean, 6, plus: true)} | std {PyFormat.Exponent(Std)} | " +
        $"grad:data ratio {PyFormat.Exponent(GradToData)}";
}

/// <summary>Viz #4: for one 2-D parameter, log10(std(lr·grad) / std(param)) at every step (the lecture's <c>ud</c>).</summary>
public sealed record UpdateRatioSeries(int Index, long[] Shape, float[] Log10Ratios)
{
    /// <summary>The lecture's legend: <c>'param %d' % i</c>, unless given.</summary>
    public string Label => Legend ?? string.Create(CultureInfo.InvariantCulture, $"param {Index}");

    /// <summary>A legend of the caller's (a notebook's loop), in place of <c>param i</c>.</summary>
    public string? Legend { get; init; }

    /// <summary>The mean over the last <paramref name="steps"/> steps: where the curve has settled.</summary>
    internal double SettledMean(int steps = 100) =>
        Log10Ratios.Length == 0 ? double.NaN : Log10Ratios.TakeLast(Math.Max(1, steps)).Average(v => (double)v);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Label} {PyFormat.Shape(Shape),10}: log10(update/data) settles at {SettledMean():F2} over the last 100 steps");
}

/// <summary>A diagnostic table: the rows, printed one per line as the lecture prints them.</summary>
public sealed class StatsTable<T>(IReadOnlyList<T> rows) : IReadOnlyList<T> where T : notnull
{
    public T this[int index] => rows[index];
    public int Count => rows.Count;
    public IEnumerator<T> GetEnumerator() => rows.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => string.Join("\n", rows.Select(r => r.ToString()));
}
