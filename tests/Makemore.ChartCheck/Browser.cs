using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Makemore.ChartCheck;

/// <summary>What check.js found for one chart.</summary>
public sealed record ChartFinding(string Title, bool Ok, IReadOnlyList<string> Problems, IReadOnlyList<string> Traces);

/// <summary>One page rendered: the findings for its charts, the plotly.js version the page had, a screenshot.</summary>
public sealed record PageResult(IReadOnlyList<ChartFinding> Charts, string? PlotlyVersion, string? Error, string Screenshot);

/// <summary>
/// Headless Chromium, one short-lived process per page with its own empty profile and no network use: it loads the
/// page, lets virtual time run (plotly.js draws, check.js inspects), then writes a screenshot and prints the DOM, in
/// which check.js left its findings.
/// </summary>
public sealed partial class Browser(string executable)
{
    public string Executable { get; } = executable;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Chromium from $CHROMIUM, else the first of chromium / chromium-browser / google-chrome on PATH.</summary>
    public static Browser? Find()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } custom)
            return File.Exists(custom) ? new Browser(custom) : null;
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => path.Select(dir => Path.Combine(dir, name)))
            .Where(File.Exists)
            .Select(p => new Browser(p))
            .FirstOrDefault();
    }

    public string Version()
    {
        var (_, stdout, _) = Run(["--version"]);
        return stdout.Trim();
    }

    /// <summary>Renders <paramref name="page"/> in a window of the given size; the screenshot goes to
    /// <paramref name="screenshot"/>.</summary>
    public PageResult Render(string page, int width, int height, string screenshot)
    {
        string profile = Directory.CreateTempSubdirectory("chart-check-profile-").FullName;
        try
        {
            var (exit, stdout, stderr) = Run([
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile}", "--hide-scrollbars", "--force-device-scale-factor=1",
                $"--window-size={width},{height}", "--virtual-time-budget=10000",
                $"--screenshot={screenshot}", "--dump-dom", new Uri(page).AbsoluteUri,
            ]);
            // The last match: the page's inlined check.js mentions the element too.
            var match = ResultElement().Matches(stdout).LastOrDefault();
            if (match is null)
                return new PageResult([], null,
                    $"no findings in the page (chromium exit {exit}): {LastLines(stderr, 5)}", screenshot);
            var json = JsonNode.Parse(WebUtility.HtmlDecode(match.Groups[1].Value))!;
            var charts = json["charts"]!.AsArray().Select(c => new ChartFinding(
                (string?)c!["title"] ?? "",
                (bool?)c["ok"] ?? false,
                c["problems"]!.AsArray().Select(p => (string?)p ?? "").ToList(),
                c["traces"]!.AsArray().Select(t =>
                    $"{((bool?)t!["ok"] == true ? "ok" : "FAILED")} {t["type"]} '{t["name"]}': {t["found"]}").ToList()))
                .ToList();
            return new PageResult(charts, (string?)json["plotly"], (string?)json["error"], screenshot);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { /* Chromium may still be closing */ }
        }
    }

    (int Exit, string Stdout, string Stderr) Run(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"chromium did not finish within {Timeout.TotalSeconds:F0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    static string LastLines(string text, int n) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(n));

    [GeneratedRegex("""<pre id="chart-check-result" hidden="">(.*?)</pre>""", RegexOptions.Singleline)]
    private static partial Regex ResultElement();
}
