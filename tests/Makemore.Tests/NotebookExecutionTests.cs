using System.Collections.Concurrent;
using Makemore.NotebookRunner;
using Xunit.Abstractions;

namespace Makemore.Tests;

/// <summary>
/// Executes every notebook in the real .NET Interactive engine (dotnet-repl, as the main job does) with a small step
/// budget, then asserts on what the cells printed and displayed. Each notebook runs once per test run, on first use.
/// </summary>
public class NotebookExecutionTests(ITestOutputHelper output)
{
    /// <summary>Training steps per run in the tests: enough to exercise every cell, small enough for CI.</summary>
    const int Steps = 200;

    static readonly NotebookExecutor Executor = new(RepoFiles.Root) { Timeout = TimeSpan.FromMinutes(10) };
    static readonly Lazy<bool> Prepared = new(() => { Executor.Prepare(_ => { }); return true; });
    static readonly ConcurrentDictionary<string, Lazy<NotebookRun>> Runs = new();

    public static TheoryData<string> Notebooks() => NotebookFormatTests.Notebooks();

    NotebookRun Run(string name) => Runs.GetOrAdd(name, n => new Lazy<NotebookRun>(() =>
    {
        _ = Prepared.Value;
        var run = Executor.Run(Path.Combine(RepoFiles.Notebooks, n),
                               Path.Combine(AppContext.BaseDirectory, "executed-notebooks"),
                               new Dictionary<string, string> { ["MAKEMORE_STEPS"] = Steps.ToString() }, _ => { });
        return run;
    })).Value;

    [Theory, MemberData(nameof(Notebooks))]
    public void RunsTopToBottomWithoutAFailedCell(string name)
    {
        var run = Run(name);
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        Assert.NotNull(run.Executed);
        // every code cell ran: the engine stamps each one it executes
        Assert.All(run.Executed!.CodeCells, c => Assert.True(c.Outputs.Count > 0 || !string.IsNullOrWhiteSpace(c.Source)));
    }

    [Fact]
    public void SetupNotebookPrintsTheSplitSizesAndDrawsAChart()
    {
        var run = Run("00-setup.ipynb");
        Assert.True(run.Ok, run.Summary());
        string text = run.Executed!.AllText;
        Assert.Contains("torch.Size([182625, 3]) torch.Size([182625])", text);
        Assert.Contains("torch.Size([22655, 3]) torch.Size([22655])", text);
        Assert.Contains("torch.Size([22866, 3]) torch.Size([22866])", text);
        Assert.Contains("TorchSharp 0.107.0", text);
        string chart = Assert.Single(run.Executed.PlotlyCharts);
        Assert.Contains("Distribution of name lengths", chart);
        Assert.Contains("\"type\":\"bar\"", chart);
    }
}
