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

    /// <summary>What each notebook must print even with a small budget: the lecture's parameter counts and step-0
    /// losses (the first progress line, <c>{step,7}/{max_steps,7}: {loss:.4f}</c>, with max_steps = the budget), and
    /// the chapter's charts (the loss log is a table).</summary>
    [Theory]
    [InlineData("01-starter-mlp.ipynb", true, "11897", "      0/    200: 27.8817")]
    [InlineData("02-fixing-the-initial-loss.ipynb", true, "3.2958", "      0/    200: 3.3221")]
    [InlineData("03-fixing-the-saturated-tanh.ipynb", true, "      0/    200: 3.3135")]
    [InlineData("04-kaiming-init.ipynb", true, "      0/    200: 3.3179")]
    [InlineData("05-batch-normalization.ipynb", true, "12097", "      0/    200: 3.3239")]
    [InlineData("06-loss-log.ipynb", false, "27.8817 / 27.8817", "3.3239 / 3.3239")]
    [InlineData("07-pytorchifying.ipynb", true, "46497", "47024", "      0/    200: 3.2962")]
    // the diagnostics stop after step 0 or 1000 of max_steps 200000, as the lecture's `break`
    [InlineData("08-viz-activations-and-gradients.ipynb", true, "      0/ 200000: 3.2962",
                "layer 1 (      Tanh): mean -0.02, std 0.75, saturated: 20.25%", "5 of 5 lines identical to the lecture's")]
    [InlineData("09-the-linear-case.ipynb", true, "      0/ 200000: 3.2959", "5 of 5 lines identical to the lecture's")]
    [InlineData("10-viz-weights-and-update-ratios.ipynb", true, "      0/ 200000: 3.2962", "grad:data ratio")]
    [InlineData("11-bringing-back-batchnorm.ipynb", true, "      0/ 200000: 3.2870", "47024")]
    public void PrintsTheLecturesNumbersAndDrawsCharts(string name, bool charts, params string[] expected)
    {
        var run = Run(name);
        Assert.True(run.Ok, run.Summary());
        string text = run.Executed!.AllText;
        foreach (string e in expected) Assert.Contains(e, text);
        if (charts) Assert.NotEmpty(run.Executed.PlotlyCharts);
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
