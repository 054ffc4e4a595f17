namespace Makemore.ChartCheck;

/// <summary>
/// The README's pictures, chosen by chart title (cell order changes; titles say what a chart is), in one place.
/// <see cref="Notebook"/> only says which notebook to execute to make it; the title picks the chart.
/// </summary>
public sealed record ReadmeImage(string Notebook, string TitleStartsWith, string File)
{
    public static IReadOnlyList<ReadmeImage> All { get; } =
    [
        new("03-fixing-the-saturated-tanh", "h = tanh(hpreact) at init, before the fix", "03-h-saturated.png"),
        new("03-fixing-the-saturated-tanh", "|h| > 0.99 at init, before the fix", "03-saturation-image.png"),
        new("08-viz-activations-and-gradients", "activation distribution (gain 5/3)", "08-activations-gain-5-3.png"),
        new("08-viz-activations-and-gradients", "gradient distribution (gain 5/3)", "08-gradients-gain-5-3.png"),
        new("10-viz-weights-and-update-ratios", "update:data ratio, lr 0.1", "10-update-ratios.png"),
    ];

    /// <summary>Where the pictures go (the README links them there).</summary>
    public static string Folder(string repoRoot) => Path.Combine(repoRoot, "notebooks", "images");
}
