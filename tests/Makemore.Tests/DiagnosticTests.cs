using System.Text.Json.Nodes;
using Makemore.Layers;
using TorchSharp;
using static TorchSharp.torch;

using Layer = Makemore.Layers.Layer;

namespace Makemore.Tests;

/// <summary>The diagnostics: Python's number formats, histograms, no leaked tensors, and the charts' figures.</summary>
[Collection(InProcessTorch.Name)]
public class DiagnosticTests
{
    static readonly Lazy<Dataset> Data = new(() => Dataset.Load(Dataset.FindDataFile()));

    public DiagnosticTests() => torch.set_num_threads(1);

    // Expected strings are what CPython 3 prints for the same doubles.
    [Theory]
    [InlineData(0.0034574229, 6, false, "0.003457")]
    [InlineData(1e-5, 6, true, "+0.000010")]
    [InlineData(-1e-9, 6, true, "-0.000000")]
    [InlineData(-0.0, 6, true, "-0.000000")]
    [InlineData(0.0, 6, true, "+0.000000")]
    [InlineData(0.125, 2, false, "0.12")]              // an exact tie: to even
    [InlineData(0.375, 2, false, "0.38")]
    [InlineData(2.675, 2, false, "2.67")]              // 2.67499999999999982236431605997495353221893310546875
    [InlineData(20.25, 2, false, "20.25")]
    [InlineData(9.996, 2, false, "10.00")]
    [InlineData(-0.004, 2, true, "-0.00")]
    [InlineData(0.006, 2, false, "0.01")]
    [InlineData(123456.5, 0, false, "123456")]
    [InlineData(1e22, 1, false, "10000000000000000000000.0")]
    public void FixedIsPythonsPercentF(double value, int decimals, bool plus, string expected) =>
        Assert.Equal(expected, PyFormat.Fixed(value, decimals, plus));

    [Theory]
    [InlineData(0.0034574229, "3.457423e-03")]
    [InlineData(0.0, "0.000000e+00")]
    [InlineData(9.9999996, "1.000000e+01")]
    [InlineData(123456789.0, "1.234568e+08")]
    [InlineData(1e-300, "1.000000e-300")]
    [InlineData(-2.5e-5, "-2.500000e-05")]
    [InlineData(1.0000005, "1.000001e+00")]           // the double is 1.00000050000000005…: above the tie
    [InlineData(0.5, "5.000000e-01")]
    [InlineData(5e-324, "4.940656e-324")]             // the smallest subnormal
    public void ExponentIsPythonsPercentE(double value, string expected) =>
        Assert.Equal(expected, PyFormat.Exponent(value));

    [Fact]
    public void FloatStatisticsFormatAsPythonWouldFormatTheFloat32()
    {
        Assert.Equal("1.2e+00", PyFormat.Exponent(1.25, decimals: 1));             // an exact tie: to even
        Assert.Equal("1.4e+00", PyFormat.Exponent(1.35, decimals: 1));             // 1.350000000000000088…
        // Python formats float(tensor): the float32 widened to double, e.g. float32(0.75) prints exactly.
        Assert.Equal("3.353992e-03", PyFormat.Exponent((double)0.003353992f));
        Assert.Equal("+0.000024", PyFormat.Fixed((double)2.4e-5f, 6, plus: true));
        Assert.Equal("nan", PyFormat.Exponent(double.NaN));
        Assert.Equal("-inf", PyFormat.Fixed(double.NegativeInfinity));
    }

    [Fact]
    public void ShapesPrintAsPythonTuples()
    {
        Assert.Equal("  (27, 10)", PyFormat.Shape([27, 10], 10));
        Assert.Equal("(100, 100)", PyFormat.Shape([100, 100], 10));
        Assert.Equal("(27,)", PyFormat.Shape([27]));
    }

    [Fact]
    public void HistogramIsTorchHistogramWithDensity()
    {
        using var t = tensor(new float[] { 0, 1, 2, 3 });
        var h = Histogram.Of(t, bins: 2);
        Assert.Equal(new[] { 0.0, 1.5, 3.0 }, h.Edges);
        // density = count / (total · width) = 2 / (4 · 1.5)
        Assert.Equal(new[] { 1 / 3.0, 1 / 3.0 }, h.Density, new DoubleTolerance(1e-6));
        Assert.Equal(new[] { 0.75, 2.25 }, h.Centres);
        Assert.Equal(new[] { 0.0, 1.5 }, h.LeftEdges);

        using var r = randn(3200, generator: new Generator(9));
        var big = Histogram.Of(r);
        Assert.Equal(Histogram.DefaultBins, big.Bins);
        double width = big.Edges[1] - big.Edges[0];
        Assert.Equal(1.0, big.Density.Sum() * width, 4);                          // a density integrates to 1
    }

    [Fact]
    public void StatisticsAreTheLecturesReductions()
    {
        using var t = tensor(new float[] { -1, -0.98f, 0, 0.5f, 0.99f });
        var layer = new Makemore.Layers.Tanh { RetainOutput = true };
        // Feed atanh(t) through a Tanh in training mode so the layer keeps t as its output.
        using var scope = NewDisposeScope();
        var x = (t.clamp(-0.999999f, 0.999999f)).atanh().requires_grad_(true);
        Layer.Run([layer], x).sum().backward();
        layer.SnapshotOutput();
        var stats = Diagnose.ForwardActivations([layer, new Makemore.Layers.Tanh()]).Single();
        Assert.Equal(0, stats.Index);
        Assert.Equal(60.0, stats.Saturated, 4);                                    // 3 of 5 have |t| > 0.97
        // by hand over (−0.999999, −0.98, 0, 0.5, 0.99): mean −0.489999/5; std with n − 1 (0.8863518), not n (0.7927772)
        Assert.Equal(-0.0979998, stats.Mean, 1e-6);
        Assert.Equal(0.8863518, stats.Std, 1e-6);
        Assert.Equal(layer.Out!.std().item<float>(), stats.Std);                   // unbiased, float32
    }

    [Fact]
    public void DiagnosticsExplainWhatIsMissing()
    {
        var net = Network.Create(new Generator(1));
        var e = Assert.Throws<InvalidOperationException>(() => Diagnose.ForwardActivations(net.Layers));
        Assert.Contains("train the net first", e.Message);
        Assert.Throws<InvalidOperationException>(() => Diagnose.WeightGradients(net.Parameters));
        Assert.Contains("train the net first", Assert.Throws<InvalidOperationException>(
            () => Viz.ActivationStats<Makemore.Layers.Tanh>(net.Layers, "viz #1")).Message);
        // a ud recorded for another list of parameters is named, not an index error
        var e4 = Assert.Throws<ArgumentException>(() => Viz.UpdateRatioStats(net.Parameters, [new float[5]], "viz #4"));
        Assert.Equal($"ud has 5 values per step but there are {net.Parameters.Count} parameters: pass the parameters of " +
                     "the model whose run recorded it (Parameter 'ud')", e4.Message);
    }

    [Fact]
    public void TheLinearNetIsInspectedAtItsLinearLayers()
    {
        var net = Network.Create(new Generator(1), new NetworkOptions(Tanh: false));
        Assert.Equal([0, 1, 2, 3, 4], Diagnose.Inspected(net.Layers).Select(x => x.Index));
        var tanhNet = Network.Create(new Generator(1));
        Assert.Equal([1, 3, 5, 7, 9], Diagnose.Inspected(tanhNet.Layers).Select(x => x.Index));
        Assert.Equal([0, 2, 4, 6, 8], Diagnose.Inspected(tanhNet.Layers, "Linear").Select(x => x.Index)); // not the output layer
    }

    /// <summary>
    /// The trainer disposes each step's scope; the layers copy their outputs and gradients out of it and free the
    /// previous step's copies. So the number of live tensors on this thread after 5 diagnostic steps and after 25 more
    /// is the same, and once the net is disposed it is back where it started.
    /// </summary>
    [Fact]
    public void DiagnosticStepsLeaveNoTensorsBehind()
    {
        var data = Data.Value;
        var stats = DisposeScopeManager.Statistics.TensorStatistics;
        long before = stats.ThreadTotalLiveCount;
        var g = new Generator(LectureSettings.Seed);
        var net = Network.Create(g, new NetworkOptions(BatchNorm: true));
        var options = new TrainingOptions(StopAfter: 4, RecordUpdateRatios: true);
        Trainer.Train(net, data.Xtr, data.Ytr, g, options, TextWriter.Null);
        Assert.NotNull(net.Layers[2].Out);
        long afterFew = stats.ThreadTotalLiveCount;
        Trainer.Train(net, data.Xtr, data.Ytr, g, options with { StopAfter = 24 }, TextWriter.Null);
        _ = Diagnose.ForwardActivations(net.Layers);
        _ = Diagnose.BackwardGradients(net.Layers);
        _ = Diagnose.WeightGradients(net.Parameters);
        long afterMany = stats.ThreadTotalLiveCount;
        Assert.Equal(afterFew, afterMany);
        net.Dispose();
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }

    static JsonNode Figure(Plotly.NET.GenericChart chart) => JsonNode.Parse(chart.Json())!;

    static LayerActivationStats Row(int index, params float[] values)
    {
        using var t = tensor(values);
        return new LayerActivationStats(index, "Tanh", 0, 1, 0, Histogram.Of(t, bins: 4));
    }

    [Fact]
    public void ActivationChartHasOneLinePerLayerWithTheLecturesLegend()
    {
        var chart = DiagnosticCharts.Activations([Row(1, 0, 1, 2, 3), Row(3, -1, 0, 1, 1)]);
        var fig = Figure(chart);
        var traces = fig["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.Equal("layer 1 (Tanh)", (string?)traces[0]!["name"]);
        Assert.Equal("layer 3 (Tanh)", (string?)traces[1]!["name"]);
        Assert.All(traces, t => Assert.Equal("lines", (string?)t!["mode"]));
        Assert.Equal(4, traces[0]!["x"]!.AsArray().Count);                        // one point per bin (its centre)
        Assert.Equal(0.375, (double)traces[0]!["x"]![0]!, 6);
        // layer 3's values −1, 0, 1, 1 in 4 bins of width 0.5 over [−1, 1]: counts 1, 0, 1, 2, density count / (4 · 0.5)
        Assert.Equal([-0.75, -0.25, 0.25, 0.75], traces[1]!["x"]!.AsArray().Select(v => (double)v!), new DoubleTolerance(1e-6));
        Assert.Equal([0.5, 0.0, 0.5, 1.0], traces[1]!["y"]!.AsArray().Select(v => (double)v!), new DoubleTolerance(1e-6));
        Assert.Contains("activation distribution", chart.Json());
    }

    [Fact]
    public void UpdateRatioChartHasALinePerParameterAndTheMinusThreeGuide()
    {
        var series = new[]
        {
            new UpdateRatioSeries(0, [27, 10], [-3.5f, -3.2f, -3.1f]),
            new UpdateRatioSeries(1, [30, 100], [-2.5f, -2.6f, -2.7f]),
        };
        var traces = Figure(DiagnosticCharts.UpdateRatios(series))["data"]!.AsArray();
        Assert.Equal(3, traces.Count);
        Assert.Equal(["param 0", "param 1"], traces.Take(2).Select(t => (string?)t!["name"]));
        var guide = traces[2]!;
        Assert.Equal([-3.0, -3.0], guide["y"]!.AsArray().Select(v => (double)v!));
        Assert.Equal([0, 3], guide["x"]!.AsArray().Select(v => (int)v!));
        Assert.Equal("rgba(0, 0, 0, 1.0)", (string?)guide["line"]!["color"]);
    }

    [Fact]
    public void WeightGradientChartUsesIndexAndShapeLegends()
    {
        using var t = tensor(new float[] { 0, 1, 2, 3 });
        var rows = new[] { new WeightGradientStats(0, [27, 10], 0, 1, 1, Histogram.Of(t)) };
        var traces = Figure(DiagnosticCharts.WeightGradients(rows))["data"]!.AsArray();
        Assert.Equal("0 (27, 10)", (string?)Assert.Single(traces)!["name"]);
    }

    [Fact]
    public void ComparisonMarksIdenticalAndDifferentLines()
    {
        string text = LectureComparison.Compare(["a 1", "b 2"], ["a 1", "b 3"]);
        Assert.Contains("a 1   ✓", text);
        Assert.Contains("b 2   ≠ lecture: b 3", text);
        Assert.EndsWith("1 of 2 lines identical to the lecture's", text);
    }
}

/// <summary>Compares doubles within an absolute tolerance.</summary>
sealed class DoubleTolerance(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(double d) => 0;
}
