using Plotly.NET;
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
            .WithAxisTitles("name length (characters)", "names")
            .Titled("Distribution of name lengths")
            .Sized();
    }
}
