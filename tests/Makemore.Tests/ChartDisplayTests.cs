using System.Text.Json.Nodes;
using Makemore.Notebook;
using Microsoft.DotNet.Interactive.Formatting;

namespace Makemore.Tests;

/// <summary>The notebook chart formatter: no CDN, no require.js, plotly.js from Plotly.NET's own assembly.</summary>
[Collection(InProcessTorch.Name)]
public class ChartDisplayTests
{
    static Plotly.NET.GenericChart Chart() => DataCharts.NameLengths(["ab", "cd", "efg"]);

    [Fact]
    public void AChartIsADivAndANewPlotCallWithTheFigureAndNoNetworkReference()
    {
        string html = ChartDisplay.Html(Chart());
        Assert.StartsWith("<div id=\"makemore-chart-", html);
        Assert.Contains("Plotly.newPlot(div, figure.data, figure.layout", html);
        Assert.Contains("\"type\":\"bar\"", html);
        foreach (string network in new[] { "http:", "https:", "require(", "cdn" })
            Assert.DoesNotContain(network, html, StringComparison.OrdinalIgnoreCase);
        // Without plotly.js on the page (or without scripts) the div's own text says what to do.
        Assert.Contains("Chart “Distribution of name lengths”: " + ChartDisplay.NoPlotlyText, html);
    }

    [Fact]
    public void TwoChartsGetTheirOwnDivs() =>
        Assert.NotEqual(ChartDisplay.Html(Chart())[..60], ChartDisplay.Html(Chart())[..60]);

    [Fact]
    public void ATitleCannotEndTheScriptEarly()
    {
        string html = ChartDisplay.Html(Chart().Titled("a </script><b>bold</b>"));
        string script = html[html.IndexOf("<script", StringComparison.Ordinal)..];
        Assert.Equal(1, CountOf(script, "</script"));                 // only the element's own end tag
        Assert.Contains("bold", script);
    }

    [Fact]
    public void ThePreludesOutputIsTheEmbeddedPlotlyJsOfTheReferencedVersionAndDefinesWindowPlotly()
    {
        string html = ChartDisplay.PlotlyJsHtml();
        Assert.StartsWith($"<div id=\"{ChartDisplay.PlotlyJsMarker}\"", html);
        Assert.Equal("2.28.0", ChartDisplay.PlotlyJsVersion);
        Assert.Contains("* plotly.js v2.28.0", html);
        Assert.True(html.Length > 3_000_000, $"plotly.js is {html.Length} characters, expected the full bundle");
        Assert.Equal(1, CountOf(html, "</script"));
        Assert.Contains("(function (define, module, exports) {", html);    // AMD/CommonJS hidden: sets window.Plotly
        Assert.Contains("window.dispatchEvent(new Event('makemore-plotly-ready'))", html);
        Assert.DoesNotContain("<script src", html);                   // inline, not loaded from anywhere
    }

    [Fact]
    public void RegisteringMakesTheFormatterWriteTheOfflineChart()
    {
        ChartDisplay.Register();
        ChartDisplay.Register();                                       // twice is fine (the prelude may re-run)
        string html = Chart().ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("class=\"makemore-chart\"", html);
        Assert.Contains("Plotly.newPlot", html);
    }

    /// <summary>The browser check loads plotly.js from npm at the version Plotly.NET references.</summary>
    [Fact]
    public void TheBrowserCheckUsesThePlotlyJsVersionPlotlyNetReferences()
    {
        string dir = Path.Combine(RepoFiles.Root, "tests", "Makemore.ChartCheck");
        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "package.json")))!;
        var locked = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "package-lock.json")))!;
        Assert.Equal(ChartDisplay.PlotlyJsVersion, (string?)package["dependencies"]?["plotly.js-dist-min"]);
        Assert.Equal(ChartDisplay.PlotlyJsVersion, (string?)locked["packages"]?["node_modules/plotly.js-dist-min"]?["version"]);
    }

    static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.OrdinalIgnoreCase)) n++;
        return n;
    }
}
