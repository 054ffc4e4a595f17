using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Makemore.Training;
using Plotly.NET;

namespace Makemore.Notebook;

/// <summary>
/// The notebook engine's part, for a chapter run as a .NET 10 file-based app (notebooks/apps/, generated from the
/// notebooks by the notebook runner's <c>--write-apps</c>). What a cell would show, <see cref="display"/> prints: a
/// chart becomes a standalone HTML file (plotly.js beside it, no internet needed) and its path is printed; any other
/// value prints as its text, the text/plain twin a notebook shows. The live progress line goes to the terminal, and
/// Ctrl+C is the stop button.
/// </summary>
public static class AppHost
{
    /// <summary>Where the charts go, if set; else notebooks/out/apps/&lt;app&gt;/.</summary>
    public const string ChartsVariable = "MAKEMORE_CHARTS";

    static readonly object Gate = new();
    static string? chartsDir;
    static int charts;
    static CancellationTokenSource stop = new();

    /// <summary>The folder this app's chart files go to (set by <see cref="Start"/>).</summary>
    public static string ChartsDir => chartsDir ?? throw new InvalidOperationException("AppHost.Start has not run");

    /// <summary>The first line of every app: the notebook's folder as the working directory, the charts' folder, the
    /// live progress line and Ctrl+C as the stop button. <paramref name="appFile"/> is the app's own source file
    /// (notebooks/apps/NN-name.cs; the compiler fills it in).</summary>
    public static void Start(string name, [CallerFilePath] string appFile = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        // A notebook runs in its own folder (VS Code, Jupyter and the runner): the app too, wherever it was started
        // from, so that a cell's relative path (05's checkpoint in out/) means the same file.
        // (MAKEMORE_CHARTS relative to where the app was started, as a user typed it)
        string? fromEnvironment = Environment.GetEnvironmentVariable(ChartsVariable);
        string? notebooks = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(appFile)));
        chartsDir = Path.GetFullPath(!string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment
            : Path.Combine(notebooks ?? ".", "out", "apps", name));
        if (notebooks is not null && Directory.Exists(notebooks)) Directory.SetCurrentDirectory(notebooks);
        Directory.CreateDirectory(chartsDir);
        charts = 0;
        Trainer.Monitor = _ => new ConsoleProgress();
        // Ctrl+C once: the training loop stops at its next step (TrainingStoppedException), as with the notebook's stop
        // button. A second Ctrl+C ends the app at once.
        Trainer.AmbientCancellation = () => stop.Token;
        Console.CancelKeyPress += (_, e) =>
        {
            if (stop.IsCancellationRequested) return;
            e.Cancel = true;
            stop.Cancel();
            Console.Error.WriteLine("\nstopping after this step (Ctrl+C again ends the app)");
        };
    }

    /// <summary>What a notebook shows for <paramref name="value"/>: a chart as an HTML file (its path printed), any
    /// other value as its text.</summary>
    public static void display(object? value)
    {
        switch (value)
        {
            case GenericChart chart: Console.WriteLine($"chart: {WriteChart(chart)}"); break;
            case null: Console.WriteLine("<null>"); break;
            default: Console.WriteLine(value.ToString()); break;
        }
    }

    /// <summary>Writes <paramref name="chart"/> as a page that draws it with plotly.js from a file beside it (written
    /// once per folder: Plotly.NET's embedded copy); returns the page's path.</summary>
    public static string WriteChart(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        lock (Gate)
        {
            string dir = ChartsDir;
            string plotlyJs = PlotlyJsFile;
            string js = Path.Combine(dir, plotlyJs);
            if (!File.Exists(js)) File.WriteAllText(js, ChartDisplay.PlotlyJs(), new UTF8Encoding(false));
            var figure = JsonNode.Parse(GenericChart.toJson(chart))!;
            string title = (string?)figure["layout"]?["title"]?["text"] ?? "chart";
            string path = Path.Combine(dir, $"{++charts:00}-{Slug(title)}.html");
            File.WriteAllText(path, $"""
                <!DOCTYPE html>
                <html>
                <head>
                <meta charset="utf-8">
                <title>{System.Net.WebUtility.HtmlEncode(title)}</title>
                <script src="{plotlyJs}"></script>
                </head>
                <body>
                {ChartDisplay.Html(chart)}
                </body>
                </html>

                """, new UTF8Encoding(false));
            return path;
        }
    }

    /// <summary>The file name of plotly.js beside the charts.</summary>
    public static string PlotlyJsFile => $"plotly-{ChartDisplay.PlotlyJsVersion}.min.js";

    // A file name from a chart's title: lower-case letters and digits, runs of anything else as one '-'.
    static string Slug(string title)
    {
        var sb = new StringBuilder();
        foreach (char c in title.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        string slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "chart" : slug.Length > 60 ? slug[..60].TrimEnd('-') : slug;
    }

    // The live progress line: updated in place on a terminal; the run's last line (how it ended) is printed as the
    // notebook shows it.
    sealed class ConsoleProgress : IProgress<TrainingStatus>
    {
        readonly bool live = !Console.IsErrorRedirected;
        int width;

        public void Report(TrainingStatus status)
        {
            string line = status.ToString();
            if (status.State == TrainingState.Running)
            {
                if (!live) return;
                Console.Error.Write("\r" + line.PadRight(width));
                width = line.Length;
                return;
            }
            if (live && width > 0) Console.Error.Write("\r" + new string(' ', width) + "\r");
            width = 0;
            Console.WriteLine(line);
        }
    }
}
