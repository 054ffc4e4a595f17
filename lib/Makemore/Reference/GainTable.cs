using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Makemore.Diagnostics;
using Makemore.Text;

namespace Makemore.Reference;

/// <summary>
/// What the gain explorer (notebook 13) measures for one gain: the diagnostics at init (viz #1 and #2 of a run stopped
/// right after its first step), and after a short run the update:data ratios (viz #4) and the loss it reached.
/// </summary>
/// <param name="Gain">The gain every hidden Linear weight was multiplied by.</param>
/// <param name="FirstLoss">The loss of the first step (what the lecture's loop prints at step 0).</param>
/// <param name="Activations">Viz #1 at init: std and saturation (|t| &gt; 0.97) of each inspected layer's output.</param>
/// <param name="Gradients">Viz #2 at init: std of the gradient at each inspected layer's output.</param>
/// <param name="UpdateRatios">Viz #4 of the short run: log10(std(lr·grad) / std(data)) of every 2-D parameter, step by step.</param>
/// <param name="ValLoss">split_loss('val') after the short run.</param>
/// <param name="Steps">How many steps the short run took: fewer than asked when its loss became NaN (a run that
/// diverged keeps the steps before, see <see cref="Training.TrainingDivergedException.Partial"/>).</param>
public sealed record GainMeasurements(double Gain, float FirstLoss, StatsTable<LayerActivationStats> Activations,
                                      StatsTable<LayerGradientStats> Gradients, StatsTable<UpdateRatioSeries> UpdateRatios,
                                      float ValLoss, int Steps)
{
    /// <summary>The lecture's run this gain's at-init run is (<see cref="LectureRuns.Find"/>), if any: its
    /// printed numbers are marked next to ours.</summary>
    public LectureRun? Lecture { get; init; }

    /// <summary>Where each update:data curve settled: its mean over the last <paramref name="steps"/> steps.</summary>
    internal double[] SettledUpdateRatios(int steps = 100) => [.. UpdateRatios.Select(u => u.SettledMean(steps))];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"gain {PyFormat.Gain(Gain)}: first loss {(double)FirstLoss:F4}, {Activations.Count} layers, " +
        $"{UpdateRatios.Count} weights, val loss {(double)ValLoss:F4} after {Steps} steps");
}

/// <summary>
/// The gain explorer's numbers as one table, one column per gain, one row per measure and layer (or weight): the
/// text a console or a test reads, and an HTML table in a notebook. At init, a number the lecture printed for the
/// same run is marked ✓ when ours prints the same, or followed by the lecture's when it does not.
/// </summary>
public sealed partial class GainTable
{
    /// <summary>Each update:data ratio is the mean over this many last steps of the short run.</summary>
    internal const int SettleSteps = 100;

    public GainTable(IEnumerable<GainMeasurements> gains)
    {
        ArgumentNullException.ThrowIfNull(gains);
        Gains = [.. gains];
        if (Gains.Count == 0) throw new ArgumentException("no gains were measured", nameof(gains));
        var first = Gains[0];
        foreach (var m in Gains)
        {
            if (m is null) throw new ArgumentException("a gain's measurements are null", nameof(gains));
            // One row per layer: every gain must have measured the same layers and weights.
            if (!m.Activations.Select(a => a.Label).SequenceEqual(first.Activations.Select(a => a.Label)) ||
                !m.Gradients.Select(a => a.Label).SequenceEqual(first.Activations.Select(a => a.Label)) ||
                !m.UpdateRatios.Select(u => u.Label).SequenceEqual(first.UpdateRatios.Select(u => u.Label)))
                throw new ArgumentException(
                    $"gain {PyFormat.Gain(m.Gain)} measured other layers or weights than gain {PyFormat.Gain(first.Gain)} " +
                    $"({string.Join(", ", m.Activations.Select(a => a.Label))} vs {string.Join(", ", first.Activations.Select(a => a.Label))}): " +
                    "build every gain's net from the same layers list", nameof(gains));
        }
        Rows = BuildRows();
    }

    public IReadOnlyList<GainMeasurements> Gains { get; }

    /// <summary>The rows: a section heading (no cells) or a measure with one cell per gain.</summary>
    internal IReadOnlyList<GainTableRow> Rows { get; }

    /// <summary>The column headings: "gain 0.5", "gain 5/3", ….</summary>
    public IEnumerable<string> Columns => Gains.Select(m => "gain " + PyFormat.Gain(m.Gain));

    List<GainTableRow> BuildRows()
    {
        var first = Gains[0];
        // A run that diverged stopped early (the loss became NaN at the step after its last one).
        int steps = Gains.Max(m => m.Steps);
        var rows = new List<GainTableRow>
        {
            Row("loss at step 0", m => Fixed(m.FirstLoss, 4), m => Lecture(m, LectureTable.StepZero, 0, StepZeroLoss)),
            Heading("at init: std of each layer's output (viz #1)"),
        };
        for (int k = 0; k < first.Activations.Count; k++)
        {
            int j = k;
            rows.Add(Row("  " + first.Activations[k].Label, m => PyFormat.Fixed(m.Activations[j].Std, 2),
                         m => Lecture(m, LectureTable.Activations, j, ActivationStd)));
        }
        rows.Add(Heading("at init: saturated %, |t| > 0.97 (viz #1)"));
        for (int k = 0; k < first.Activations.Count; k++)
        {
            int j = k;
            rows.Add(Row("  " + first.Activations[k].Label, m => PyFormat.Fixed(m.Activations[j].Saturated, 2),
                         m => Lecture(m, LectureTable.Activations, j, Saturated)));
        }
        rows.Add(Heading("at init: std of the gradient at each layer's output (viz #2)"));
        for (int k = 0; k < first.Gradients.Count; k++)
        {
            int j = k;
            rows.Add(Row("  " + first.Gradients[k].Label, m => PyFormat.Exponent(m.Gradients[j].Std),
                         m => Lecture(m, LectureTable.Gradients, j, GradientStd)));
        }
        string stepsText = $"{steps} steps";
        rows.Add(Heading($"after {stepsText}: log10(update std / data std), mean of the last {SettleSteps} steps (viz #4)"));
        for (int k = 0; k < first.UpdateRatios.Count; k++)
        {
            int j = k;
            var u = first.UpdateRatios[k];
            rows.Add(Row($"  {u.Label} {PyFormat.Shape(u.Shape)}", m => Fixed(m.UpdateRatios[j].SettledMean(SettleSteps), 2), _ => null));
        }
        rows.Add(Row($"after {stepsText}: val loss", ValLossText, _ => null));
        return rows;
    }

    /// <summary>The val loss as printed, or for a short run that diverged, where its loss became NaN.</summary>
    internal string ValLossText(GainMeasurements m) =>
        Diverged(m) ? $"NaN at step {m.Steps}" : Fixed(m.ValLoss, 4);

    /// <summary>Whether this gain's short run stopped early: its loss became NaN at step <see cref="GainMeasurements.Steps"/>.</summary>
    internal bool Diverged(GainMeasurements m) => m.Steps < Gains.Max(x => x.Steps);

    GainTableRow Row(string label, Func<GainMeasurements, string> ours, Func<GainMeasurements, string?> lecture) =>
        new(label, [.. Gains.Select(m => Cell(ours(m), lecture(m)))]);

    static GainTableRow Heading(string label) => new(label, []);

    static GainTableCell Cell(string ours, string? lecture) => new(ours, lecture);

    /// <summary>The lecture's number for this cell: field <paramref name="field"/> of line <paramref name="line"/> of
    /// its table, if the lecture ran this gain's run and printed that table.</summary>
    static string? Lecture(GainMeasurements m, LectureTable table, int line, Regex field)
    {
        if (m.Lecture is null || !m.Lecture.Tables.TryGetValue(table, out var lines) || line >= lines.Count) return null;
        var match = field.Match(lines[line]);
        return match.Success ? match.Groups[1].Value : null;
    }

    static string Fixed(double value, int decimals) => PyFormat.Fixed(value, decimals);

    [GeneratedRegex(@": (\d+\.\d+)$")] private static partial Regex StepZeroLoss { get; }
    [GeneratedRegex(@"std (\d+\.\d+),")] private static partial Regex ActivationStd { get; }
    [GeneratedRegex(@"saturated: (\d+\.\d+)%")] private static partial Regex Saturated { get; }
    [GeneratedRegex(@"std (\S+)$")] private static partial Regex GradientStd { get; }

    /// <summary>The table as text, columns aligned; a line below says what the marks mean when there are any.</summary>
    public override string ToString()
    {
        var cells = Rows.Select(r => r.Cells.Select(c => c.Text).ToList()).ToList();
        int labelWidth = Rows.Max(r => r.Cells.Count == 0 ? 0 : r.Label.Length);
        int width = Math.Max(Columns.Max(c => c.Length), cells.SelectMany(c => c).DefaultIfEmpty("").Max(t => t.Length));
        var sb = new StringBuilder();
        sb.Append(new string(' ', labelWidth));
        foreach (string c in Columns) sb.Append("  ").Append(c.PadLeft(width));
        sb.AppendLine();
        for (int r = 0; r < Rows.Count; r++)
        {
            if (Rows[r].Cells.Count == 0) { sb.AppendLine(Rows[r].Label); continue; }
            sb.Append(Rows[r].Label.PadRight(labelWidth));
            foreach (string t in cells[r]) sb.Append("  ").Append(t.PadLeft(width));
            sb.AppendLine();
        }
        if (Legend is string legend) sb.AppendLine(legend);
        return sb.ToString().TrimEnd('\n', '\r');
    }

    /// <summary>What the marks mean, naming the lecture's runs that were matched, and what "NaN at step k" means; null
    /// when there is neither.</summary>
    public string? Legend
    {
        get
        {
            var lines = new List<string>();
            var runs = Gains.Where(m => m.Lecture is not null && m.Lecture.Tables.Count > 0).Select(m => m.Lecture!.Name).Distinct().ToList();
            if (runs.Count > 0)
                lines.Add($"✓: the lecture printed the same number (its runs: {string.Join("; ", runs)}); " +
                          "no mark: the lecture printed no number for that cell");
            if (Gains.Any(Diverged))
                lines.Add("NaN at step k: the short run's loss became NaN at step k and training stopped; " +
                          "its update:data ratios are the means of the steps before");
            return lines.Count == 0 ? null : string.Join("\n", lines);
        }
    }
}

/// <summary>One row of a <see cref="GainTable"/>: a label and one cell per gain (none for a section heading).</summary>
internal sealed record GainTableRow(string Label, IReadOnlyList<GainTableCell> Cells);

/// <summary>One number of a <see cref="GainTable"/>, as printed, and the lecture's number for it where there is one.</summary>
internal sealed record GainTableCell(string Ours, string? Lecture)
{
    /// <summary>Ours, then ✓ if the lecture printed the same, or the lecture's number in brackets if it did not.</summary>
    public string Text => Lecture is null ? Ours : Lecture == Ours ? Ours + " ✓" : $"{Ours} (lecture {Lecture})";
}
