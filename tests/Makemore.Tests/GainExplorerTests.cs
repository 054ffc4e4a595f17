using System.Text.Json.Nodes;
using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>The gain explorer of notebook 13: its measurements against the lecture's printed numbers and the
/// lecture's own expressions, and its table and grid against the numbers they were given.</summary>
[Collection(InProcessTorch.Name)]
public class GainExplorerTests
{
    static readonly Lazy<Dataset> Data = new(() => Dataset.Load(Dataset.FindDataFile()));

    public GainExplorerTests() => torch.set_num_threads(1);

    // The net as notebook 13's cell builds it (its settings: batchNorm, tanh): the cells of notebooks 07-11.
    static Network BuildNet(Generator g, double gain, bool batchNorm, bool tanh) => NetworkTests.CellNet(g, gain, batchNorm, tanh);

    // The cell's loop body for one gain: a run stopped after its first step, then a short run from the same seed.
    static GainMeasurements Measure(double gain, bool batchNorm, bool tanh, int stopAfter, bool fast)
    {
        var data = Data.Value;
        var g = new Generator(LectureSettings.Seed);
        var model = BuildNet(g, gain, batchNorm, tanh);
        var atInit = Trainer.Train(model, data.Xtr, data.Ytr, g, TrainingOptions.BreakAfter(0), TextWriter.Null);
        var acts = Diagnose.ForwardActivations(model.Layers);
        var grads = Diagnose.BackwardGradients(model.Layers);
        var lecture = LectureRuns.Find(model, atInit);

        g = new Generator(LectureSettings.Seed);
        model = BuildNet(g, gain, batchNorm, tanh);
        TrainingResult run;
        try { run = Trainer.Train(model, data.Xtr, data.Ytr, g, TrainingOptions.BreakAfter(stopAfter, 0.1, fast), TextWriter.Null); }
        catch (TrainingDivergedException e) { run = e.Partial; }
        return new GainMeasurements(gain, atInit.FirstLoss, acts, grads, Diagnose.UpdateRatios(run, model.Parameters),
                                    Evaluation.SplitLoss(model, data.Xdev, data.Ydev), run.Steps) { Lecture = lecture };
    }

    [Fact]
    public void AtInitTheMeasurementsAreTheLecturesExpressionsAndItsNumbersForGain5Over3()
    {
        var data = Data.Value;
        var m = Measure(5.0 / 3, batchNorm: false, tanh: true, stopAfter: 20, fast: true);

        // The lecture's expressions on layer.out of the same net after its first step.
        var g = new Generator(LectureSettings.Seed);
        var model = BuildNet(g, 5.0 / 3, false, true);
        Trainer.Train(model, data.Xtr, data.Ytr, g, TrainingOptions.BreakAfter(0), TextWriter.Null);
        int[] tanhLayers = [1, 3, 5, 7, 9];
        Assert.Equal(tanhLayers, m.Activations.Select(a => a.Index));
        for (int k = 0; k < tanhLayers.Length; k++)
        {
            var t = model.Layers[tanhLayers[k]].Out!;
            Assert.Equal(t.std().item<float>(), m.Activations[k].Std);
            Assert.Equal(((t.abs() > 0.97).@float().mean() * 100).item<float>(), m.Activations[k].Saturated, 4);
            Assert.Equal(model.Layers[tanhLayers[k]].OutGrad!.std().item<float>(), m.Gradients[k].Std);
        }
        // …and the numbers the lecture printed for that run (notebook 08 shows the same lines).
        Assert.Equal("0.75", PyFormat.Fixed(m.Activations[0].Std, 2));
        Assert.Equal("20.25", PyFormat.Fixed(m.Activations[0].Saturated, 2));
        Assert.Equal("4.205588e-04", PyFormat.Exponent(m.Gradients[0].Std));
        Assert.Equal("3.2962", PyFormat.Fixed(m.FirstLoss, 4));
        Assert.Equal("gain 5/3 at init", m.Lecture?.Name);

        // The table marks each number the lecture printed, and only those.
        var table = new GainTable([m]);
        var text = table.ToString();
        Assert.Equal("3.2962 ✓", Cell(table, "loss at step 0", 0));
        Assert.Equal("0.75 ✓", Cell(table, "  layer 1 (Tanh)", 0));
        Assert.Equal("20.25 ✓", Cell(table, "  layer 1 (Tanh)", 0, occurrence: 1));
        Assert.Equal("4.205588e-04 ✓", Cell(table, "  layer 1 (Tanh)", 0, occurrence: 2));
        Assert.Equal(5 * 3 + 1, table.Rows.SelectMany(r => r.Cells).Count(c => c.Text.EndsWith('✓')));
        Assert.DoesNotContain("lecture ", table.Rows.Last().Cells[0].Text);       // no lecture number after the short run
        Assert.Contains("✓: the lecture printed the same number (its runs: gain 5/3 at init)", text);
    }

    [Fact]
    public void AGainTheLectureDidNotRunIsNotMarkedAndTheLinearNetInspectsLinears()
    {
        var m = Measure(1, batchNorm: false, tanh: false, stopAfter: 5, fast: false);
        Assert.Null(m.Lecture);                      // the lecture ran the linear net at init with gain 0.5 only
        Assert.Equal([0, 1, 2, 3, 4], m.Activations.Select(a => a.Index));
        Assert.All(m.Activations, a => Assert.Equal("Linear", a.Kind));
        var table = new GainTable([m]);
        Assert.DoesNotContain("✓", table.ToString());
        Assert.Null(table.Legend);
        Assert.Equal(6, m.Steps);
    }

    [Fact]
    public void ARunThatDivergesIsMeasuredUpToTheStepBeforeAndTheTableSaysWhere()
    {
        // gain 2 without tanh: every layer doubles the spread, and at lr 0.1 the loss is NaN at step 4
        var diverged = Measure(2, batchNorm: false, tanh: false, stopAfter: 9, fast: false);
        var fine = Measure(1, batchNorm: false, tanh: false, stopAfter: 9, fast: false);
        Assert.Equal(4, diverged.Steps);
        Assert.Equal(10, fine.Steps);
        Assert.All(diverged.UpdateRatios, u => Assert.Equal(4, u.Log10Ratios.Length));
        var table = new GainTable([fine, diverged]);
        var row = table.Rows.Single(r => r.Label.EndsWith("val loss"));
        Assert.Equal("after 10 steps: val loss", row.Label);
        Assert.DoesNotContain("NaN", row.Cells[0].Text);
        Assert.Equal("NaN at step 4", row.Cells[1].Text);
        Assert.Contains("NaN at step k: the short run's loss became NaN at step k", table.Legend);
        // the grid: no loss bar for it, its number and where it stopped as the bars' text
        var traces = JsonNode.Parse(GainCharts.Grid([fine, diverged]).Json())!["data"]!.AsArray();
        Assert.Equal(row.Cells[0].Text, (string?)traces[10]!["text"]![0]);
        Assert.Equal("bar", (string?)traces[10]!["type"]);
        Assert.Equal("NaN at step 4", (string?)traces[11]!["text"]![0]);
        Assert.Equal("text", (string?)traces[11]!["mode"]);                // no bar: text only
    }

    [Fact]
    public void WithBatchNormTheFirstLossIsTheLecturesForAnyGain()
    {
        var m = Measure(3, batchNorm: true, tanh: true, stopAfter: 3, fast: true);
        Assert.Equal("3.2870", PyFormat.Fixed(m.FirstLoss, 4));
        Assert.Equal([2, 5, 8, 11, 14], m.Activations.Select(a => a.Index));
        // C and the six Linear weights: the 2-D parameters
        Assert.Equal([0, 1, 4, 7, 10, 13, 16], m.UpdateRatios.Select(u => u.Index));
    }

    [Fact]
    public void TheFirstLossIsTheOneTheLoopPrintsOnBothPaths()
    {
        var data = Data.Value;
        foreach (bool fast in new[] { false, true })
        {
            // the linear net at gain 3: a first loss whose 10^log10 does not round back to the printed digits
            var g = new Generator(LectureSettings.Seed);
            var model = BuildNet(g, 3, batchNorm: false, tanh: false);
            var run = Trainer.Train(model, data.Xtr, data.Ytr, g, TrainingOptions.BreakAfter(0, fast: fast), TextWriter.Null);
            Assert.Equal("      0/ 200000: 43.7818", run.Printed[0]);
            Assert.Equal("43.7818", PyFormat.Fixed(run.FirstLoss, 4));
            if (!fast) Assert.Equal("43.7819", PyFormat.Fixed(MathF.Pow(10, run.Lossi[0]), 4));
        }
    }

    static string Cell(GainTable table, string label, int column, int occurrence = 0) =>
        table.Rows.Where(r => r.Label == label).ElementAt(occurrence).Cells[column].Text;

    // Two made-up gains with known numbers.
    static GainMeasurements Made(double gain, double[] std, double[] saturated, double[] gradStd, float[][] ud, float valLoss,
                                 int[]? layers = null)
    {
        layers ??= [1, 3];
        var h = Histogram.OfValues([0f, 1f], bins: 2);
        return new GainMeasurements(gain, 3.3f,
            new StatsTable<LayerActivationStats>([.. layers.Select((i, k) => new LayerActivationStats(i, "Tanh", 0, std[k], saturated[k], h))]),
            new StatsTable<LayerGradientStats>([.. layers.Select((i, k) => new LayerGradientStats(i, "Tanh", 0, gradStd[k], h))]),
            new StatsTable<UpdateRatioSeries>([.. ud.Select((u, k) => new UpdateRatioSeries(k == 0 ? 0 : 2 * k - 1, [k == 0 ? 27 : 100, 10], u))]),
            valLoss, ud[0].Length);
    }

    static readonly GainMeasurements Half = Made(0.5, [0.4, 0.1], [0, 0], [1e-5, 4e-5], [[-4f, -5f], [-3.5f, -3.5f]], 2.9f);
    static readonly GainMeasurements Three = Made(3, [0.9, 0.85], [60, 45], [2e-3, 1e-3], [[-2f, -2f], [-1.5f, -2.5f]], 2.4f);

    [Fact]
    public void TheGridHasAColumnPerGainARowPerMeasureAndTheNumbersItWasGiven()
    {
        var fig = JsonNode.Parse(GainCharts.Grid([Half, Three], "gains").Json())!;
        var traces = fig["data"]!.AsArray();
        var layout = fig["layout"]!;
        Assert.Equal(2 * 6, traces.Count);                              // 5 measures per gain, and the −3 guide
        Assert.Equal("gains", (string?)layout["title"]!["text"]);
        Assert.Equal(5, (int)layout["grid"]!["rows"]!);
        Assert.Equal(2, (int)layout["grid"]!["columns"]!);

        // row by row, gain by gain; every trace on its own axes
        double[] Y(int k) => [.. traces[k]!["y"]!.AsArray().Select(v => (double)v!)];
        string Axis(int k) => (string?)traces[k]!["yaxis"] ?? "y";
        Assert.Equal([0.4, 0.1], Y(0));
        Assert.Equal([0.9, 0.85], Y(1));
        Assert.Equal([0.0, 0.0], Y(2));
        Assert.Equal([60.0, 45.0], Y(3));
        Assert.Equal([1e-5, 4e-5], Y(4));
        Assert.Equal([2e-3, 1e-3], Y(5));
        // viz #4: the mean of the (here only two) last steps, and the guide at −3 in each column
        Assert.Equal([-4.5, -3.5], Y(6));
        Assert.Equal([-3.0, -3.0], Y(7));
        Assert.Equal([-2.0, -2.0], Y(8));
        Assert.Equal([-3.0, -3.0], Y(9));
        Assert.Equal([2.9f, 2.4f], [(float)Y(10)[0], (float)Y(11)[0]]);
        Assert.Equal("2.9000", (string?)traces[10]!["text"]![0]);
        Assert.Equal([1.0, 3.0], traces[0]!["x"]!.AsArray().Select(v => (double)v!));   // the layers' indices
        Assert.Equal([0.0, 1.0], traces[6]!["x"]!.AsArray().Select(v => (double)v!));   // the parameters' indices
        Assert.Equal(12, traces.Select((_, k) => Axis(k)).Distinct().Count() + 2);       // the guides share their column's axes

        // each row has one y range across its columns, log for the std rows
        JsonNode YAxis(int k) => layout["yaxis" + (Axis(k) == "y" ? "" : Axis(k)[1..])]!;
        foreach (var (a, b) in new[] { (0, 1), (2, 3), (4, 5), (6, 8), (10, 11) })
            Assert.Equal(YAxis(a)["range"]!.ToJsonString(), YAxis(b)["range"]!.ToJsonString());
        Assert.Equal("log", (string?)YAxis(0)["type"]);
        Assert.Equal("log", (string?)YAxis(4)["type"]);
        Assert.Null(YAxis(2)["type"]);
        var stdRange = YAxis(0)["range"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.True(stdRange[0] < Math.Log10(0.1) && stdRange[1] > Math.Log10(0.9), string.Join(", ", stdRange));
        var udRange = YAxis(6)["range"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.True(udRange[0] <= -4.5 && udRange[1] >= -2, string.Join(", ", udRange));
        Assert.Equal("activation std (log)", (string?)YAxis(0)["title"]!["text"]);
        Assert.Equal("val loss", (string?)YAxis(10)["title"]!["text"]);

        // the column titles: the gains, above the top row
        var titles = layout["annotations"]!.AsArray().Select(a => (string?)a!["text"]).Where(t => !string.IsNullOrEmpty(t));
        Assert.Equal(["gain 0.5", "gain 3"], titles);
    }

    [Fact]
    public void TheTableHasAColumnPerGainAndTheNumbersItWasGiven()
    {
        var table = new GainTable([Half, Three]);
        Assert.Equal(["gain 0.5", "gain 3"], table.Columns);
        Assert.Equal("0.40", Cell(table, "  layer 1 (Tanh)", 0));
        Assert.Equal("0.85", Cell(table, "  layer 3 (Tanh)", 1));
        Assert.Equal("60.00", Cell(table, "  layer 1 (Tanh)", 1, occurrence: 1));
        Assert.Equal("4.000000e-05", Cell(table, "  layer 3 (Tanh)", 0, occurrence: 2));
        Assert.Equal("-4.50", Cell(table, "  param 0 (27, 10)", 0));
        Assert.Equal("-2.00", Cell(table, "  param 1 (100, 10)", 1));
        Assert.Equal("2.4000", Cell(table, "after 2 steps: val loss", 1));
        var lines = table.ToString().Split('\n');
        // right-aligned columns as wide as the widest cell ("4.000000e-05"), two spaces apart
        Assert.EndsWith("  " + "gain 0.5".PadLeft(12) + "  " + "gain 3".PadLeft(12), lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  layer 1 (Tanh)") && l.EndsWith("  " + "0.40".PadLeft(12) + "  " + "0.90".PadLeft(12)));
        Assert.Null(table.Legend);
    }

    [Fact]
    public void ANumberThatDiffersFromTheLecturesShowsTheLecturesBesideIt()
    {
        var lecture = LectureRuns.Runs.Single(r => r.Name == "gain 5/3 at init");
        var m = Made(5.0 / 3, [0.74, 0.69], [20.25, 8.38], [4.205588e-4, 3.991179e-4], [[-3f]], 2.5f) with { FirstLoss = 3.2962f };
        var table = new GainTable([m with { Lecture = lecture }]);
        Assert.Equal("0.74 (lecture 0.75)", Cell(table, "  layer 1 (Tanh)", 0));
        Assert.Equal("20.25 ✓", Cell(table, "  layer 1 (Tanh)", 0, occurrence: 1));
        Assert.Equal("3.2962 ✓", Cell(table, "loss at step 0", 0));
    }

    [Fact]
    public void BadInputIsNamed()
    {
        Assert.Contains("no gains", Assert.Throws<ArgumentException>(() => new GainTable([])).Message);
        var other = Made(1, [0.5, 0.5, 0.5], [0, 0, 0], [1e-4, 1e-4, 1e-4], [[-3f]], 2.5f, layers: [1, 3, 5]);
        var e = Assert.Throws<ArgumentException>(() => GainCharts.Grid([Half, other]));
        Assert.Contains("gain 1 measured other layers or weights than gain 0.5", e.Message);
    }
}
