using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Makemore.NotebookRunner;
using Xunit.Abstractions;

namespace Makemore.Tests;

/// <summary>
/// The chapters as .NET 10 file-based apps (notebooks/apps/, written by <see cref="AppConverter"/>): each committed app
/// is exactly what the converter makes of its notebook today, and each runs with the tests' budget and prints the lines
/// the notebook tests expect (<see cref="NotebookExecutionTests.ExpectedLines"/>), with its charts as HTML files. The
/// apps are built one at a time (they share the library's project) and run two at a time; the browser check
/// (tests/Makemore.ChartCheck) draws their chart files afterwards.
/// </summary>
public class AppTests(ITestOutputHelper output)
{
    const int Steps = 200;

    static readonly AppExecutor Executor = new(RepoFiles.Root) { Timeout = TimeSpan.FromMinutes(15) };

    /// <summary>Where the apps' charts go: one folder per app beside the test assembly (the browser check reads them).</summary>
    public static string ChartsRoot => Path.Combine(AppContext.BaseDirectory, "app-charts");

    static readonly string RecordsRoot = Path.Combine(Path.GetTempPath(), $"makemore-app-runs-{Environment.ProcessId}-{Guid.NewGuid():N}");
    static readonly ConcurrentDictionary<string, Lazy<AppRun>> Runs = new();
    static readonly SemaphoreSlim Running = new(2, 2);

    static AppRun Run(string notebook) => Runs.GetOrAdd(notebook, n => new Lazy<AppRun>(() =>
    {
        string name = Path.GetFileNameWithoutExtension(n);
        Running.Wait();
        try
        {
            // 06 starts with no run record (as in the notebook tests): every app records into a folder of its own
            var environment = new Dictionary<string, string>
            {
                ["MAKEMORE_STEPS"] = Steps.ToString(),
                [RunRecord.FolderVariable] = Path.Combine(RecordsRoot, name),
            };
            return Executor.Run(AppConverter.AppPath(Path.Combine(RepoFiles.Notebooks, n)), Path.Combine(ChartsRoot, name), environment);
        }
        finally { Running.Release(); }
    })).Value;

    AppRun RunApp(string notebook)
    {
        // While this app builds and runs, the next one in the series starts too (the theories go in that order), so
        // that two run at a time; a filtered run of one app starts at most one other.
        var all = RepoFiles.NotebookPaths().Select(Path.GetFileName).ToList();
        int next = all.IndexOf(notebook) + 1;
        if (next > 0 && next < all.Count && !Runs.ContainsKey(all[next]!))
        {
            string following = all[next]!;
            _ = Task.Run(() => Run(following));
        }
        var run = Run(notebook);
        output.WriteLine(run.Summary());
        return run;
    }

    public static TheoryData<string> Notebooks() => NotebookFormatTests.Notebooks();

    [Theory, MemberData(nameof(Notebooks))]
    public void TheCommittedAppIsItsNotebookConvertedToday(string name)
    {
        string notebook = Path.Combine(RepoFiles.Notebooks, name);
        string app = AppConverter.AppPath(notebook);
        string expected = AppConverter.Convert(File.ReadAllText(notebook), name, AppConverter.CentralVersions(RepoFiles.Root));
        Assert.True(File.Exists(app), $"{Path.GetRelativePath(RepoFiles.Root, app)} is missing: {AppConverter.RegenerateCommand}");
        Assert.True(expected == File.ReadAllText(app).ReplaceLineEndings("\n"),
                    $"{Path.GetRelativePath(RepoFiles.Root, app)} differs from its notebook: {AppConverter.RegenerateCommand}");
    }

    [Fact]
    public void EveryAppHasItsNotebook()
    {
        var notebooks = RepoFiles.NotebookPaths().Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (string app in Executor.Apps())
            Assert.True(notebooks.Contains(Path.GetFileNameWithoutExtension(app)), $"{app} has no notebook: delete it");
    }

    [Theory, MemberData(nameof(NotebookExecutionTests.ExpectedLines), MemberType = typeof(NotebookExecutionTests))]
    public void PrintsTheLecturesNumbersAndWritesCharts(string name, bool charts, string[] expected)
    {
        var run = RunApp(name);
        Assert.True(run.Ok, run.Summary() + "\n" + run.Output);
        foreach (string e in expected) Assert.Contains(e, run.Output);
        if (string.CompareOrdinal(name, "07") >= 0)
            Assert.DoesNotContain("≠", run.Output);
        if (charts) Assert.NotEmpty(run.Charts);
    }

    /// <summary>Every app runs to its end, and each chart is a page that loads plotly.js from the file beside it (no
    /// CDN) and whose path the app printed.</summary>
    [Theory, MemberData(nameof(Notebooks))]
    public void RunsToItsEndWithChartPagesBesidePlotlyJs(string name)
    {
        var run = RunApp(name);
        Assert.True(run.Ok, run.Summary() + "\n" + run.Output);
        foreach (string chart in run.Charts)
        {
            string html = File.ReadAllText(chart);
            Assert.Contains($"chart: {chart}", run.Output);
            Assert.Contains("<script src=\"plotly-2.28.0.min.js\"></script>", html);
            Assert.Contains("class=\"makemore-chart\"", html);
            foreach (string network in new[] { "cdn.plot.ly", "require.config", "https:" })
                Assert.DoesNotContain(network, html);
        }
        if (run.Charts.Count > 0)
            Assert.Contains("* plotly.js v2.28.0", string.Concat(File.ReadLines(Path.Combine(run.ChartsDir, "plotly-2.28.0.min.js")).Take(3)));
    }

    [Fact]
    public void TheAppsAndTheirRunnerNameTheSameChartsVariable() =>
        Assert.Equal(Makemore.Notebook.AppHost.ChartsVariable, AppExecutor.ChartsVariable);

    // The conversion rule on a notebook made for it (AppConverter's header states the rule).
    static string Convert(params string[] codeCells)
    {
        var cells = new JsonArray();
        cells.Add(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = new JsonArray("# A title\n", "text") });
        foreach (string code in codeCells)
            cells.Add(new JsonObject
            {
                ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(),
                ["source"] = new JsonArray(code.Split('\n').Select(l => (JsonNode?)JsonValue.Create(l + "\n")).ToArray()),
            });
        return AppConverter.Convert(new JsonObject { ["cells"] = cells }.ToJsonString(), "99-test.ipynb",
                                    new Dictionary<string, string> { ["TorchSharp-cpu"] = "0.107.0" });
    }

    [Fact]
    public void ConverterRenamesARedeclaredVariableFromItsCellOnAndKeepsEarlierFunctionsOnTheOldOne()
    {
        string app = Convert(
            "#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"../lib/Makemore.Notebook/bin/Release/net10.0/Makemore.dll\"",
            "using System.Text;\nint g = 1;\nint Read() => g;",
            "var g = \"two\";   // a new variable in the notebook\nConsole.WriteLine(g + Read() + Math.Max(g.Length, 0));",
            "Console.WriteLine(g.Length);\nint Twice(int g) => g * 2;\nvar o = new { g = 3 };\no.g",
            "class Later { public int g; }",
            "Console.WriteLine(new Later { g = 4 }.g);\nforeach (var o in new[] { 5 }) Console.WriteLine(o);");
        Assert.StartsWith("#:package TorchSharp-cpu\n#:project ../../lib/Makemore.Notebook\n", app);
        Assert.Contains("// # A title\n// text\n", app);
        Assert.Contains("using System.Text;\n", app);
        Assert.Contains("int g = 1;\nint Read() => g;", app);
        Assert.Contains("var g_2 = \"two\";   // a new variable in the notebook\nConsole.WriteLine(g_2 + Read() + Math.Max(g_2.Length, 0));", app);
        // a function's own parameter and an anonymous type's member keep their names; a trailing expression is displayed
        Assert.Contains("Console.WriteLine(g_2.Length);\nint Twice(int g) => g * 2;\nvar o = new { g = 3 };\ndisplay(o.g);", app);
        // a statement's own variable may not reuse a file-level name (CS0136), an initializer's target is no variable
        Assert.Contains("Console.WriteLine(new Later { g = 4 }.g);\nforeach (var o_ in new[] { 5 }) Console.WriteLine(o_);", app);
        // types go after the statements
        Assert.EndsWith("class Later { public int g; }\n", app);
        Assert.True(app.IndexOf("class Later", StringComparison.Ordinal) > app.IndexOf("foreach", StringComparison.Ordinal));
    }

    [Fact]
    public void ConverterGivesAVariableWithoutAValueItsDefault()
    {
        string app = Convert("Tensor C, W1;\nint n = 1;\nconst int k = 2;");
        Assert.Contains("Tensor C = default!, W1 = default!;\nint n = 1;\nconst int k = 2;", app);
    }

    [Fact]
    public void ConverterRefusesWhatHasNoFileAppTwin()
    {
        var magic = Assert.Throws<InvalidDataException>(() => Convert("#!time\nvar x = 1;"));
        Assert.Contains("99-test.ipynb, cell 2: '#!time' has no file-based app twin", magic.Message);
        var version = Assert.Throws<InvalidDataException>(() => Convert("#r \"nuget: TorchSharp-cpu, 0.106.0\""));
        Assert.Contains("TorchSharp-cpu 0.106.0, but Directory.Packages.props has 0.107.0", version.Message);
        var unknown = Assert.Throws<InvalidDataException>(() => Convert("#r \"nuget: Newtonsoft.Json, 13.0.1\""));
        Assert.Contains("package Newtonsoft.Json is not declared in Directory.Packages.props", unknown.Message);
    }
}
