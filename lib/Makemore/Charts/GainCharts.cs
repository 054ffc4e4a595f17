using System.Globalization;
using Makemore.Diagnostics;
using Makemore.Reference;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Makemore.Charts;

/// <summary>
/// The gain explorer's picture (notebook 13): one column per gain, one row per measure, every row on the same y range
/// across its columns so that the gains compare at a glance.
/// </summary>
public static class GainCharts
{
    /// <summary>The rows of <see cref="Grid"/>, top to bottom: their y-axis titles.</summary>
    internal static readonly string[] RowTitles =
    [
        "activation std (log)",
        "saturated %",
        "gradient std (log)",
        "log10(update/data)",
        "val loss",
    ];

    // One colour per measure, the same in every column.
    static readonly Color[] RowColours =
    [
        Color.fromString("#1f77b4"), Color.fromString("#d62728"), Color.fromString("#2ca02c"),
        Color.fromString("#9467bd"), Color.fromString("#ff7f0e"),
    ];

    /// <summary>
    /// The grid: per gain (column), at init each inspected layer's activation std and saturation % and the std of the
    /// gradient at its output (x: the layer's index); after the short run each 2-D parameter's update:data ratio (mean of
    /// its last <see cref="GainTable.SettleSteps"/> steps; x: the parameter's index) with the −3 guide, and the val loss.
    /// The std rows are on log axes: a layer that multiplies the spread by a constant factor makes a straight line.
    /// </summary>
    public static GenericChart Grid(IEnumerable<GainMeasurements> gains, string title = "gain explorer")
    {
        var table = new GainTable(gains);          // checks that every gain measured the same layers and weights
        var list = table.Gains;
        int columns = list.Count, rows = RowTitles.Length;
        var layers = list[0].Activations.Select(a => (double)a.Index).ToArray();
        var weights = list[0].UpdateRatios.Select(u => (double)u.Index).ToArray();

        var std = list.Select(m => m.Activations.Select(a => a.Std).ToArray()).ToList();
        var saturated = list.Select(m => m.Activations.Select(a => a.Saturated).ToArray()).ToList();
        var gradStd = list.Select(m => m.Gradients.Select(a => a.Std).ToArray()).ToList();
        var ud = list.Select(m => m.SettledUpdateRatios(GainTable.SettleSteps)).ToList();
        var loss = list.Select(m => table.Diverged(m) ? double.NaN : m.ValLoss).ToList();   // no bar for a run that diverged

        // Every row on one y range, so a column reads against its neighbours.
        var stdRange = LogRange(std.SelectMany(v => v));
        var saturatedRange = (0.0, Math.Max(5, saturated.SelectMany(v => v).DefaultIfEmpty(0).Max() * 1.1));
        var gradRange = LogRange(gradStd.SelectMany(v => v));
        var udValues = ud.SelectMany(v => v).Where(double.IsFinite).Append(-3).ToList();
        var udRange = (Math.Floor(udValues.Min() - 0.25), Math.Ceiling(udValues.Max() + 0.25));
        var lossRange = (0.0, Math.Max(0.1, loss.Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.15));

        var charts = new List<GenericChart>();
        // Row by row (plotly's grid fills left to right, then down).
        for (int c = 0; c < columns; c++) charts.Add(Points(layers, std[c], 0, stdRange, c == 0, StyleParam.AxisType.Log, "layer"));
        for (int c = 0; c < columns; c++) charts.Add(Bars(layers, saturated[c], 1, saturatedRange, c == 0, "layer"));
        for (int c = 0; c < columns; c++) charts.Add(Points(layers, gradStd[c], 2, gradRange, c == 0, StyleParam.AxisType.Log, "layer"));
        for (int c = 0; c < columns; c++) charts.Add(UpdateRatios(weights, ud[c], udRange, c == 0));
        for (int c = 0; c < columns; c++) charts.Add(Loss(loss[c], table.ValLossText(list[c]), lossRange, c == 0));

        // Column titles above the top row only.
        var titles = Enumerable.Range(0, rows * columns).Select(k => k < columns ? table.Columns.ElementAt(k) : "");
        var grid = Chart.Grid(charts, rows, columns, SubPlotTitles: titles.ToArray(),
                          Pattern: StyleParam.LayoutGridPattern.Independent, YGap: 0.35, XGap: 0.25)
            .Titled(title)
            .Sized(Math.Max(700, 150 + 210 * columns), 170 * rows + 140);
        return grid;
    }

    // log10 of the smallest and largest positive value, widened a little: a log axis' range is given in log10 units.
    static (double, double) LogRange(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0 && double.IsFinite(v)).ToList();
        if (positive.Count == 0) return (-1, 1);
        double lo = Math.Log10(positive.Min()), hi = Math.Log10(positive.Max());
        double pad = Math.Max(0.1, (hi - lo) * 0.08);
        return (lo - pad, hi + pad);
    }

    static GenericChart Points(double[] x, double[] y, int row, (double, double) range, bool first, StyleParam.AxisType type, string xTitle) =>
        Chart.Line<double, double, string>(x, y, ShowMarkers: true, Name: RowTitles[row], ShowLegend: false, LineColor: RowColours[row],
                                           MarkerColor: RowColours[row], LineWidth: 1.5)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: first ? RowTitles[row] : "", AxisType: type,
                                                    MinMax: Tuple.Create(range.Item1, range.Item2));

    static GenericChart Bars(double[] x, double[] y, int row, (double, double) range, bool first, string xTitle) =>
        Chart.Column<double, double, string>(y, Keys: x, Name: RowTitles[row], ShowLegend: false, MarkerColor: RowColours[row], Width: 1.2)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: first ? RowTitles[row] : "",
                                                    MinMax: Tuple.Create(range.Item1, range.Item2));

    static GenericChart UpdateRatios(double[] x, double[] y, (double, double) range, bool first)
    {
        const int row = 3;
        double lo = x.DefaultIfEmpty(0).Min() - 0.5, hi = x.DefaultIfEmpty(0).Max() + 0.5;
        var points = Chart.Line<double, double, string>(x, y, ShowMarkers: true, Name: RowTitles[row], ShowLegend: false,
                                                        LineColor: RowColours[row], MarkerColor: RowColours[row], LineWidth: 1.5);
        // the lecture's guide: updates about 1e-3 of the data
        var guide = Chart.Line<double, double, string>([lo, hi], [-3, -3], Name: "≈ 1e-3 (guide)", ShowLegend: false,
                                                       LineColor: Color.fromKeyword(ColorKeyword.Black), LineWidth: 1);
        return Chart.Combine([points, guide])
            .WithXAxisStyle<double, double, string>(TitleText: "parameter")
            .WithYAxisStyle<double, double, string>(TitleText: first ? RowTitles[row] : "",
                                                    MinMax: Tuple.Create(range.Item1, range.Item2));
    }

    // One bar with its number; for a run that diverged (no loss to draw), where its loss became NaN, as text.
    static GenericChart Loss(double loss, string text, (double, double) range, bool first)
    {
        const int row = 4;
        var chart = double.IsFinite(loss)
            ? Chart.Column<double, string, string>([loss], Keys: new[] { "val" }, Name: RowTitles[row], ShowLegend: false,
                                                   MarkerColor: RowColours[row], MultiText: new[] { text },
                                                   TextPosition: StyleParam.TextPosition.Outside)
            : Chart.Scatter<string, double, string>(new[] { "val" }, new[] { (range.Item1 + range.Item2) / 2 }, StyleParam.Mode.Text,
                                                    Name: RowTitles[row], ShowLegend: false, MultiText: new[] { text });
        return chart.WithYAxisStyle<double, double, string>(TitleText: first ? RowTitles[row] : "",
                                                           MinMax: Tuple.Create(range.Item1, range.Item2));
    }
}
