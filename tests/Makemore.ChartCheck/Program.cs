using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Makemore.ChartCheck;
using Makemore.NotebookRunner;

// Usage: dotnet run -c Release --project tests/Makemore.ChartCheck -- [--notebooks DIR] [--apps DIR] [--out DIR] [--jobs N] [--readme-images]
// Renders every chart of the executed notebooks in DIR (default: the test suite's executed copies) in headless
// Chromium with plotly.js from npm (node_modules here, `npm ci`), asserts what each drew, saves screenshots. It also
// draws the chart pages the file-based apps wrote (--apps DIR, one folder per app; default: the test suite's
// app-charts/), each with the plotly.js file the app wrote beside it, as a learner opens them.
// --readme-images first executes the notebooks the README's pictures come from at full length (into notebooks/out,
// unless --notebooks is given), then copies the chosen charts' screenshots to notebooks/images/.
string? notebooksDir = null, outDir = null, appsDir = null;
bool readmeImages = false;
int jobs = Environment.ProcessorCount;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--notebooks" when i + 1 < args.Length: notebooksDir = args[++i]; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--apps" when i + 1 < args.Length: appsDir = args[++i]; break;
        case "--jobs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int j) && j > 0: jobs = j; i++; break;
        case "--readme-images": readmeImages = true; break;
        case "-h" or "--help":
            Console.WriteLine("chart check: [--notebooks DIR] [--out DIR] [--jobs N] [--readme-images]\n" +
                              "  --notebooks DIR  executed notebooks to take the charts from (default: the tests' executed copies)\n" +
                              "  --apps DIR       the file-based apps' chart pages, a folder per app (default: the tests' app-charts/)\n" +
                              "  --out DIR        screenshots and pages (default tests/Makemore.ChartCheck/results)\n" +
                              "  --readme-images  execute the README pictures' notebooks at full length, then update notebooks/images/");
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete option '{args[i]}' (see --help)");
            return 64;
    }
}

string root = NotebookExecutor.FindRepoRoot(Directory.GetCurrentDirectory());
string here = Path.Combine(root, "tests", "Makemore.ChartCheck");
outDir = Path.GetFullPath(outDir ?? Path.Combine(here, "results"));

// Fail before any long notebook run if the browser or plotly.js is missing.
var browser = Browser.Find();
if (browser is null)
{
    Console.Error.WriteLine(
        "\n##################################################################\n" +
        "##  CHART CHECK NOT RUN: Chromium is missing.                    ##\n" +
        "##  Install it (Debian: apt-get install -y chromium) or set      ##\n" +
        "##  CHROMIUM=/path/to/chromium. No chart was checked.             ##\n" +
        "##################################################################\n");
    return 2;
}
string plotlyJs = Path.Combine(here, "node_modules", "plotly.js-dist-min", "plotly.min.js");
string expectedVersion = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(here, "package.json")))!["dependencies"]!["plotly.js-dist-min"]
                         ?? throw new InvalidDataException("package.json names no plotly.js-dist-min version");
if (!File.Exists(plotlyJs))
{
    Console.Error.WriteLine($"CHART CHECK NOT RUN: {plotlyJs} is missing: run `npm ci` in tests/Makemore.ChartCheck first.");
    return 2;
}
string header = string.Concat(File.ReadLines(plotlyJs).Take(3));
if (!header.Contains($"plotly.js v{expectedVersion}", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"CHART CHECK NOT RUN: {plotlyJs} is not plotly.js v{expectedVersion} (package.json): run `npm ci` in tests/Makemore.ChartCheck.");
    return 2;
}

if (readmeImages && notebooksDir is null)
{
    notebooksDir = Path.Combine(root, "notebooks", "out");
    var executor = new NotebookExecutor(root);
    executor.Prepare(Console.WriteLine);
    var names = ReadmeImage.All.Select(r => r.Notebook).Distinct().ToList();
    Console.WriteLine($"executing {string.Join(", ", names)} at full length → {notebooksDir}");
    var runs = names.AsParallel().WithDegreeOfParallelism(jobs)
        .Select(n => executor.Run(Path.Combine(executor.NotebooksDir, n + ".ipynb"), notebooksDir,
                                  new Dictionary<string, string>(), Console.WriteLine))
        .ToList();
    foreach (var run in runs) Console.WriteLine(run.Summary());
    if (runs.Any(r => !r.Ok)) { Console.Error.WriteLine("a notebook failed: no pictures made"); return 1; }
}
notebooksDir = Path.GetFullPath(notebooksDir ?? TestsExecutedNotebooks(root));
var executed = Directory.Exists(notebooksDir)
    ? Directory.GetFiles(notebooksDir, "*.ipynb").Order(StringComparer.Ordinal).Select(ExecutedNotebook.Load).ToList()
    : [];
// The series' notebooks only (the tests also execute scratch notebooks of their own there).
executed = executed.Where(nb => File.Exists(Path.Combine(root, "notebooks", Path.GetFileName(nb.Path)))).ToList();
if (readmeImages)   // only the notebooks the pictures come from
    executed = executed.Where(nb => ReadmeImage.All.Any(r => Path.GetFileNameWithoutExtension(nb.Path) == r.Notebook)).ToList();
appsDir = Path.GetFullPath(appsDir ?? Path.Combine(Path.GetDirectoryName(TestsExecutedNotebooks(root))!, "app-charts"));
bool appPages = !readmeImages && Directory.Exists(appsDir) && Directory.EnumerateFiles(appsDir, "*.html", SearchOption.AllDirectories).Any();
if (executed.Count == 0 && !appPages)
{
    Console.Error.WriteLine($"CHART CHECK NOT RUN: no executed notebooks in {notebooksDir} and no app chart pages in {appsDir} " +
                            "(run `dotnet test tests/Makemore.Tests -c Release` first, or pass --notebooks DIR / --apps DIR).");
    return 2;
}

// One page per chart: plotly.js from npm (not the copy our prelude embeds), the chart's HTML as the notebook holds
// it, and check.js, which writes its findings into the page.
string pages = Path.Combine(outDir, "pages"), shots = Path.Combine(outDir, "screenshots");
foreach (string dir in new[] { pages, shots }) { if (Directory.Exists(dir)) Directory.Delete(dir, true); Directory.CreateDirectory(dir); }
string checkJs = File.ReadAllText(Path.Combine(here, "check.js"));
var work = new List<(string Notebook, string Page, string Shot, int Width, int Height)>();
foreach (var nb in executed)
{
    string name = Path.GetFileNameWithoutExtension(nb.Path);
    int k = 0;
    foreach (string chart in nb.PlotlyCharts)
    {
        k++;
        var (width, height) = Size(chart);
        string page = Path.Combine(pages, $"{name}-{k:00}.html");
        File.WriteAllText(page,
            "<!doctype html><html><head><meta charset=\"utf-8\">" +
            "<style>body{margin:0;background:#fff}.modebar-container{display:none}</style>" +
            $"<script src=\"{new Uri(plotlyJs).AbsoluteUri}\"></script></head><body>\n" +
            chart + $"\n<script>{checkJs}</script></body></html>");
        work.Add((name, page, Path.Combine(shots, $"{name}-{k:00}.png"), width, height));
    }
}
// The apps' chart pages as they are, with the plotly.js file beside them (Plotly.NET's embedded copy, no npm, no
// network); only check.js is added, and the script's path made absolute for the copy in pages/.
int appCharts = 0;
if (appPages)
{
    foreach (string app in Directory.GetDirectories(appsDir).Order(StringComparer.Ordinal))
        foreach (string file in Directory.GetFiles(app, "*.html").Order(StringComparer.Ordinal))
        {
            string html = File.ReadAllText(file);
            var src = Regex.Match(html, "<script src=\"([^\"/]+\\.js)\"></script>");
            if (src.Success)
                html = html.Replace(src.Value, $"<script src=\"{new Uri(Path.Combine(app, src.Groups[1].Value)).AbsoluteUri}\"></script>");
            html = html.Replace("</body>", $"<script>{checkJs}</script>\n</body>");
            string name = "app-" + Path.GetFileName(app);
            string page = Path.Combine(pages, $"{name}-{Path.GetFileName(file)}");
            File.WriteAllText(page, html);
            var (width, height) = Size(html);
            work.Add((name, page, Path.Combine(shots, Path.GetFileNameWithoutExtension(page) + ".png"), width, height));
            appCharts++;
        }
}
Console.WriteLine(appCharts > 0 ? $"chart check: {appCharts} chart pages of the file-based apps in {appsDir}"
                                : $"chart check: no chart pages of the file-based apps in {appsDir}");
string chromiumVersion = browser.Version();
Console.WriteLine($"chart check: {work.Count} charts from {executed.Count} notebooks in {notebooksDir} and {appCharts} app chart pages, " +
                  $"{chromiumVersion}, plotly.js {expectedVersion} (from npm for the notebooks' charts, the file beside each app page for the apps')");
var clock = System.Diagnostics.Stopwatch.StartNew();
int ok = 0, failed = 0;
// Two controls of the notebooks' own offline set-up, from the first notebook with a chart: the prelude's embedded
// plotly.js (no npm copy on the page) draws the chart, and a page with no plotly.js shows the chart's text instead.
var controls = new List<(string Name, bool Embedded, Task<PageResult> Result)>();
if (executed.FirstOrDefault(nb => nb.PlotlyJsOutputs.Any() && nb.PlotlyCharts.Any()) is { } sample)
{
    string chart = sample.PlotlyCharts.First();
    var (width, height) = Size(chart);
    foreach (var (control, embedded) in new[] { ("control-embedded-plotly-js", true), ("control-no-plotly-js", false) })
    {
        string page = Path.Combine(pages, control + ".html");
        File.WriteAllText(page, "<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\n" +
            (embedded ? sample.PlotlyJsOutputs.First() : "") + chart + $"\n<script>{checkJs}</script></body></html>");
        string shot = Path.Combine(shots, control + ".png");
        controls.Add((control, embedded, Task.Run(() => browser.Render(page, width, height + 40, shot))));
    }
}
var results = work.AsParallel().AsOrdered().WithDegreeOfParallelism(jobs)
    .Select(w => (w.Notebook, Result: browser.Render(w.Page, w.Width, w.Height, w.Shot)))
    .ToList();
foreach (var (control, embedded, task) in controls)
{
    var result = task.Result;
    var chart = result.Charts.FirstOrDefault();
    bool good = embedded
        ? result.Error is null && result.PlotlyVersion == expectedVersion && chart is { Ok: true }
        : result.Error is null && result.PlotlyVersion is null && chart is { Ok: false } &&
          chart.Problems.Any(p => p.Contains("plotly.js is not loaded on this page", StringComparison.Ordinal));
    if (good) ok++; else failed++;
    Console.WriteLine($"{(good ? "ok    " : "FAILED")} {control}: " + (embedded
        ? $"the prelude's plotly.js {result.PlotlyVersion ?? "(none)"} drew \"{chart?.Title}\""
        : $"without plotly.js the chart says: {string.Join("; ", chart?.Problems ?? [])}"));
    if (result.Error is not null) Console.WriteLine($"         error: {result.Error}");
}

var titles = new List<(string Notebook, string Title, string Shot)>();
foreach (var (notebook, result) in results)
{
    bool good = result.Error is null && result.PlotlyVersion == expectedVersion && result.Charts.Count == 1 &&
                result.Charts[0].Ok && File.Exists(result.Screenshot);
    if (good) ok++; else failed++;
    var chart = result.Charts.FirstOrDefault();
    titles.Add((notebook, chart?.Title ?? "", result.Screenshot));
    Console.WriteLine($"{(good ? "ok    " : "FAILED")} {notebook}: \"{chart?.Title}\" → {Path.GetRelativePath(root, result.Screenshot)}");
    if (!good || chart is null)
    {
        if (result.Error is not null) Console.WriteLine($"         error: {result.Error}");
        if (result.PlotlyVersion != expectedVersion) Console.WriteLine($"         plotly.js on the page: {result.PlotlyVersion ?? "none"}");
        if (result.Charts.Count != 1) Console.WriteLine($"         {result.Charts.Count} charts on the page, expected 1");
        if (!File.Exists(result.Screenshot)) Console.WriteLine("         no screenshot");
    }
    foreach (var c in result.Charts)
    {
        foreach (string p in c.Problems) Console.WriteLine($"         {p}");
        foreach (string t in c.Traces) Console.WriteLine($"         {t}");
    }
}

int pictureErrors = 0;
if (readmeImages)
{
    string folder = ReadmeImage.Folder(root);
    Directory.CreateDirectory(folder);
    foreach (var image in ReadmeImage.All)
    {
        var matches = titles.Where(t => t.Notebook == image.Notebook && t.Title.StartsWith(image.TitleStartsWith, StringComparison.Ordinal)).ToList();
        if (matches.Count != 1)
        {
            pictureErrors++;
            Console.Error.WriteLine($"README picture {image.File}: {matches.Count} charts in {image.Notebook} have a title starting " +
                                    $"with \"{image.TitleStartsWith}\" (expected 1); titles there: " +
                                    string.Join("; ", titles.Where(t => t.Notebook == image.Notebook).Select(t => $"\"{t.Title}\"")));
            continue;
        }
        File.Copy(matches[0].Shot, Path.Combine(folder, image.File), overwrite: true);
        Console.WriteLine($"README picture {Path.GetRelativePath(root, Path.Combine(folder, image.File))} ← \"{matches[0].Title}\"");
    }
}

Console.WriteLine($"chart check: {ok} of {work.Count + controls.Count} pages drawn as expected " +
                  $"({work.Count} charts, {controls.Count} controls), {failed} failed " +
                  $"({clock.Elapsed.TotalSeconds:F0} s; screenshots in {Path.GetRelativePath(root, shots)})");
return failed == 0 && work.Count > 0 && pictureErrors == 0 ? 0 : 1;

// The chart's size, from the div's style that the chart formatter (lib/Makemore.Notebook/ChartDisplay.cs) writes.
static (int Width, int Height) Size(string chartHtml)
{
    var m = Regex.Match(chartHtml, @"class=""makemore-chart"" style=""width:(\d+)px;min-height:(\d+)px;");
    return m.Success ? (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value)) : (900, 450);
}

// Where the tests leave their executed notebooks: executed-notebooks/ beside the test assembly, under
// tests/Makemore.Tests/bin/Release/ (…/net10.0/linux-x64/ where a runtime is set); the latest if several.
static string TestsExecutedNotebooks(string root)
{
    string bin = Path.Combine(root, "tests", "Makemore.Tests", "bin", "Release");
    return (Directory.Exists(bin) ? Directory.GetDirectories(bin, "executed-notebooks", SearchOption.AllDirectories) : [])
        .OrderByDescending(Directory.GetLastWriteTimeUtc)
        .FirstOrDefault() ?? Path.Combine(bin, "net10.0", "linux-x64", "executed-notebooks");
}
