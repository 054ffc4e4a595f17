using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Diagnostics;

/// <summary>
/// <c>torch.histogram(t, density=True)</c> as plain numbers: 100 equal bins from the tensor's min to its max, each
/// bin's density (count / (total · bin width), so the curve integrates to 1). The lecture plots density against the
/// left edges (<c>hx[:-1]</c>); <see cref="Centres"/> are the bins' middles.
/// </summary>
public sealed record Histogram(double[] Edges, double[] Density)
{
    public const int DefaultBins = 100;

    public int Bins => Density.Length;

    /// <summary>The left edge of every bin (what the lecture's <c>plt.plot(hx[:-1], hy)</c> uses).</summary>
    public double[] LeftEdges => Edges[..^1];

    /// <summary>The middle of every bin.</summary>
    public double[] Centres => [.. Enumerable.Range(0, Bins).Select(i => (Edges[i] + Edges[i + 1]) / 2)];

    /// <summary>The histogram of every element of <paramref name="t"/>.</summary>
    public static Histogram Of(Tensor t, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = t.detach().to(float32).flatten();
        var (hist, edges) = histogram(flat, bins, null, null, density: true);
        return new Histogram(ToDoubles(edges), ToDoubles(hist));
    }

    /// <summary>The same histogram counted in .NET from plain values (for charts that are handed arrays): equal bins
    /// over [min, max], the maximum in the last bin.</summary>
    public static Histogram OfValues(IReadOnlyList<float> values, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (values.Count == 0) return new Histogram([], []);
        double lo = values.Min(), hi = values.Max();
        double width = hi > lo ? (hi - lo) / bins : 1;
        var counts = new int[bins];
        foreach (float v in values) counts[Math.Min(bins - 1, (int)((v - lo) / width))]++;
        return new Histogram([.. Enumerable.Range(0, bins + 1).Select(i => lo + i * width)],
                             [.. counts.Select(c => c / (values.Count * width))]);
    }

    static double[] ToDoubles(Tensor t) => [.. t.to(float64).data<double>()];
}
