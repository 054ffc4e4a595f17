using Makemore.Diagnostics;
using Makemore.Text;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;
using Tensor = TorchSharp.torch.Tensor;

namespace Makemore.Charts;

/// <summary>
/// The pictures of part 2's four diagnostics, drawn as the lecture draws them: every layer's (or parameter's)
/// distribution as one line, with the lecture's legend entries, and the update:data ratios over time with the −3
/// guide. Each builder takes the plain data of <see cref="Viz"/> and builds a fresh chart.
/// </summary>
public static class DiagnosticCharts
{
    /// <summary>Viz #1: the histogram (density) of each inspected layer's output, one line per layer
    /// ("layer 1 (Tanh)", …).</summary>
    public static GenericChart Activations(IEnumerable<LayerActivationStats> stats, string title = "activation distribution") =>
        Distributions(stats.Select(s => (s.Label, s.Histogram)), title, "output value");

    /// <summary>Viz #2: the histogram of the gradient at each inspected layer's output.</summary>
    public static GenericChart Gradients(IEnumerable<LayerGradientStats> stats, string title = "gradient distribution") =>
        Distributions(stats.Select(s => (s.Label, s.Histogram)), title, "gradient value");

    /// <summary>Viz #3: the histogram of each 2-D parameter's gradient ("0 (27, 10)", …).</summary>
    public static GenericChart WeightGradients(IEnumerable<WeightGradientStats> stats, string title = "weights gradient distribution") =>
        Distributions(stats.Select(s => (s.Label, s.Histogram)), title, "gradient value");

    /// <summary>
    /// The lecture's histogram lines, for the tensors a cell's loop collected: for each (legend, t),
    /// <c>hy, hx = torch.histogram(t, density=True); plt.plot(hx[:-1], hy)</c> and the legend entry. Viz #1–#3 draw
    /// with it; <paramref name="xTitle"/> names the values ("output value", "gradient value").
    /// </summary>
    public static GenericChart Histograms(IEnumerable<(string Legend, Tensor T)> curves, string title, string xTitle = "value")
    {
        ArgumentNullException.ThrowIfNull(curves);
        return Distributions(curves.Select(c => (c.Legend, Histogram.Of(c.T))), title, xTitle);
    }

    /// <summary>Viz #4 from a cell's loop: one line per (legend, ud of that parameter at every step), and the guide.</summary>
    public static GenericChart UpdateRatios(IEnumerable<(string Legend, float[] Ud)> lines, string title = "update:data ratio",
                                            double guide = -3)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return UpdateRatios(lines.Select((l, k) => new UpdateRatioSeries(k, [], l.Ud) { Legend = l.Legend }), title, guide);
    }

    /// <summary>
    /// Viz #4: log10(update / data) of every 2-D parameter at every step ("param 0", …), with a black horizontal
    /// guide at <paramref name="guide"/> (−3: updates about a thousandth of the values, the lecture's rule of thumb).
    /// </summary>
    public static GenericChart UpdateRatios(IEnumerable<UpdateRatioSeries> series, string title = "update:data ratio",
                                            double guide = -3)
    {
        ArgumentNullException.ThrowIfNull(series);
        var list = series.ToList();
        int steps = list.Count == 0 ? 0 : list.Max(s => s.Log10Ratios.Length);
        var lines = list.Select(s => Chart.Line<int, float, string>(
            Enumerable.Range(0, s.Log10Ratios.Length), s.Log10Ratios, Name: s.Label, LineWidth: 1.5)).ToList();
        // plt.plot([0, len(ud)], [-3, -3], 'k'): these ratios should be ~1e-3
        lines.Add(Chart.Line<int, double, string>([0, steps], [guide, guide], Name: "≈ 1e-3 (guide)",
            LineColor: Color.fromKeyword(ColorKeyword.Black), LineWidth: 2));
        return Chart.Combine(lines)
            .WithAxisTitles("step", "log10(update std / data std)")
            .Titled(title)
            .Sized(ChartFormat.Width + 300, ChartFormat.Height);
    }

    static GenericChart Distributions(IEnumerable<(string Label, Histogram Histogram)> items, string title, string xTitle)
    {
        ArgumentNullException.ThrowIfNull(items);
        var lines = items.Select(x => Chart.Line<double, double, string>(x.Histogram.Centres, x.Histogram.Density,
            Name: x.Label, LineWidth: 1.5)).ToList();
        if (lines.Count == 0) throw new ArgumentException("nothing to draw: no layers or parameters were inspected", nameof(items));
        return Chart.Combine(lines)
            .WithAxisTitles(xTitle, "density")
            .Titled(title)
            .Sized(ChartFormat.Width + 300, ChartFormat.Height);
    }
}
