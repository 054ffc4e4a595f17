using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Makemore.Charts;

/// <summary>Charts of the data set itself (the setup notebook).</summary>
public static class DataCharts
{
    /// <summary>How many names have each length: a bar per length.</summary>
    public static GenericChart NameLengths(IEnumerable<string> words)
    {
        var counts = words.GroupBy(w => w.Length).OrderBy(g => g.Key).ToArray();
        return Chart.Column<int, int, string>(counts.Select(g => g.Count()), Keys: counts.Select(g => g.Key).ToArray())
            .WithXAxisStyle<int, int, string>(TitleText: "name length (characters)")
            .WithYAxisStyle<int, int, string>(TitleText: "names")
            .WithTitle("Distribution of name lengths");
    }

    // Plotly.NET.CSharp has no WithTitle; the core API's withTitle is an F# function with optional arguments.
    static GenericChart WithTitle(this GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
}
