using Plotly.NET;
using Plotly.NET.CSharp;

namespace Makemore.Charts;

/// <summary>
/// Small shared styling for the project's charts, so every notebook's pictures look alike. Plotly.NET.CSharp has no
/// WithTitle (the core API's <c>Chart.withTitle</c> is an F# function with optional arguments): <see cref="Titled"/>
/// wraps it. Chart builders should build every chart fresh: <c>Chart.Grid</c>/<c>Chart.Combine</c> change the layouts
/// of the charts passed in.
/// </summary>
internal static class ChartFormat
{
    /// <summary>The default size of a single chart, in pixels.</summary>
    public const int Width = 900, Height = 420;

    /// <summary>The chart with a title above it.</summary>
    public static GenericChart Titled(this GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart);

    /// <summary>The chart with both axes titled.</summary>
    public static GenericChart WithAxisTitles(this GenericChart chart, string xTitle, string yTitle) =>
        chart.WithXAxisStyle<double, double, string>(TitleText: xTitle)
             .WithYAxisStyle<double, double, string>(TitleText: yTitle);

    /// <summary>The chart at the project's default size (or the one given).</summary>
    public static GenericChart Sized(this GenericChart chart, int width = Width, int height = Height) =>
        chart.WithSize(width, height);

    /// <summary>The figure's JSON (data and layout), e.g. for tests: <c>GenericChart.toJson</c>.</summary>
    public static string Json(this GenericChart chart) => GenericChart.toJson(chart);
}
