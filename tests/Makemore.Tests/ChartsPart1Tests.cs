using System.Text.Json;
using TorchSharp;

namespace Makemore.Tests;

/// <summary>The part-1 charts carry their data (checked on the figure JSON, without rendering).</summary>
[Collection(InProcessTorch.Name)]
public class ChartsPart1Tests
{
    static JsonElement Figure(Plotly.NET.GenericChart chart) => JsonDocument.Parse(chart.Json()).RootElement;

    static JsonElement[] Traces(Plotly.NET.GenericChart chart) => Figure(chart).GetProperty("data").EnumerateArray().ToArray();

    [Fact]
    public void HistogramCarriesTheValues()
    {
        float[] values = [0.5f, -0.25f, 1f, 0.5f];
        var trace = Assert.Single(Traces(Part1Charts.Histogram(values, "h", "h")));
        Assert.Equal("histogram", trace.GetProperty("type").GetString());
        Assert.Equal(values, trace.GetProperty("x").EnumerateArray().Select(v => v.GetSingle()).ToArray());
        Assert.Equal(50, trace.GetProperty("nbinsx").GetInt32());
    }

    [Fact]
    public void ImshowIs32RowsBy200ColumnsWhiteWhereSaturated()
    {
        var mask = new bool[32, 200];
        mask[0, 0] = true;
        mask[31, 199] = true;
        var trace = Assert.Single(Traces(Part1Charts.Imshow(mask)));
        Assert.Equal("image", trace.GetProperty("type").GetString());
        var rows = trace.GetProperty("z").EnumerateArray().ToArray();
        Assert.Equal(32, rows.Length);
        Assert.All(rows, r => Assert.Equal(200, r.GetArrayLength()));
        int[] Pixel(int i, int j) => rows[i][j].EnumerateArray().Select(c => c.GetInt32()).ToArray();
        Assert.Equal(new[] { 255, 255, 255 }, Pixel(0, 0));
        Assert.Equal(new[] { 255, 255, 255 }, Pixel(31, 199));
        Assert.Equal(new[] { 0, 0, 0 }, Pixel(0, 1));
    }

    [Fact]
    public void LossCurveHasEveryStepAndOneAveragePerThousand()
    {
        var lossi = Enumerable.Range(0, 3500).Select(i => (float)(i / 1000)).ToArray();
        var traces = Traces(Part1Charts.LossCurve(lossi, "loss"));
        Assert.Equal(2, traces.Length);
        Assert.Equal(3500, traces[0].GetProperty("y").GetArrayLength());
        var averaged = traces[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(new[] { 0.0, 1.0, 2.0 }, averaged);           // 3 full windows of 1000; the last 500 dropped
        Assert.Equal("loss", Figure(Part1Charts.LossCurve(lossi, "loss")).GetProperty("layout").GetProperty("title")
                                 .GetProperty("text").GetString());
    }

    [Fact]
    public void LongLossCurveIsThinnedButAveragesUseEveryStep()
    {
        var lossi = Enumerable.Range(0, 200_000).Select(i => (float)(i % 2)).ToArray();
        var traces = Traces(Part1Charts.LossCurve(lossi, "loss"));
        Assert.Equal(20_000, traces[0].GetProperty("y").GetArrayLength());
        var averaged = traces[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(200, averaged.Length);
        Assert.All(averaged, m => Assert.Equal(0.5, m, 12));
    }

    [Fact]
    public void LogitsChartHasABarPerCharacter()
    {
        var labels = ".abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()).ToArray();
        var logits = Enumerable.Range(0, 27).Select(i => (float)i).ToArray();
        var trace = Assert.Single(Traces(Part1Charts.Logits(logits, labels)));
        Assert.Equal("bar", trace.GetProperty("type").GetString());
        Assert.Equal(logits, trace.GetProperty("y").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("z", trace.GetProperty("x")[26].GetString());
        Assert.Throws<ArgumentException>(() => Part1Charts.Logits(logits, labels.Take(3).ToArray()));
    }

    [Fact]
    public void ImshowOfABoolTensorIsThePictureOfItsValues()
    {
        var mask = new bool[32, 200];
        mask[0, 0] = mask[5, 7] = true;
        using var h = torch.zeros(32, 200);
        h[0, 0] = torch.tensor(0.995f);
        h[5, 7] = torch.tensor(-1f);
        h[1, 1] = torch.tensor(0.98f);                   // not saturated
        Assert.Equal(Part1Charts.Imshow(mask).Json(), Part1Charts.Imshow(h.abs() > 0.99).Json());
        Assert.Throws<ArgumentException>(() => Part1Charts.Imshow(torch.zeros(3)));
    }

    [Fact]
    public void ScaleDemoHasTwoDensityHistogramsSideBySide()
    {
        var x = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToArray();
        var y = Enumerable.Range(0, 3000).Select(i => 3 * i / 3000f).ToArray();
        var figure = Figure(Part1Charts.ScaleDemo(x, y, "demo"));
        var traces = figure.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(2, traces.Length);
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        Assert.All(traces, t => Assert.Equal(50, t.GetProperty("y").GetArrayLength()));
        // Side by side: the second trace is drawn on the second pair of axes.
        Assert.Equal("x2", traces[1].GetProperty("xaxis").GetString());
    }

    [Fact]
    public void HistogramOfValuesIntegratesToOne()
    {
        float[] values = [0f, 0.1f, 0.2f, 0.3f, 1f, 1f, 2f, 4f];
        var hist = Makemore.Diagnostics.Histogram.OfValues(values, 4);
        var (centers, density, width) = (hist.Centres, hist.Density, hist.Edges[1] - hist.Edges[0]);
        Assert.Equal(1.0, width, 12);
        Assert.Equal(new[] { 0.5, 1.5, 2.5, 3.5 }, centers);
        // bins [0,1) [1,2) [2,3) [3,4]: 4, 2, 1 and 1 values (the maximum goes into the last bin)
        Assert.Equal(new[] { 4 / 8.0, 2 / 8.0, 1 / 8.0, 1 / 8.0 }, density);
        Assert.Equal(1.0, density.Sum() * width, 12);
    }
}
