using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Makemore.Layers;
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

    /// <summary>Where the tests' runs of 01–05 record their runs (never the learner's notebooks/runs/): one empty folder
    /// per notebook, so that 06 here always starts with no record at all.</summary>
    static readonly string RecordsRoot = Path.Combine(Path.GetTempPath(), $"makemore-runs-{Environment.ProcessId}-{Guid.NewGuid():N}");

    static Dictionary<string, string> EngineEnvironment(string records) => new()
    {
        ["MAKEMORE_STEPS"] = Steps.ToString(),
        [RunRecord.FolderVariable] = records,
    };

    static string RecordsOf(string notebook) => Path.Combine(RecordsRoot, Path.GetFileNameWithoutExtension(notebook));

    public static TheoryData<string> Notebooks() => NotebookFormatTests.Notebooks();

    // A notebook made from a series notebook's cells, run with the tests' budget. It is written beside notebooks/, so that
    // the cells' relative #r paths to the library resolve the same way.
    NotebookRun RunScratch(JsonNode notebook, string name)
    {
        string dir = Path.Combine(RepoFiles.Root, ".scratch-notebooks");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, notebook.ToJsonString());
        _ = Prepared.Value;
        return Executor.Run(path, Path.Combine(AppContext.BaseDirectory, "executed-notebooks"), EngineEnvironment(RecordsOf(name)), _ => { });
    }

    NotebookRun Run(string name) => Runs.GetOrAdd(name, n => new Lazy<NotebookRun>(() =>
    {
        _ = Prepared.Value;
        var run = Executor.Run(Path.Combine(RepoFiles.Notebooks, n),
                               Path.Combine(AppContext.BaseDirectory, "executed-notebooks"), EngineEnvironment(RecordsOf(n)), _ => { });
        return run;
    })).Value;

    [Theory, MemberData(nameof(Notebooks))]
    public void RunsTopToBottomWithoutAFailedCell(string name)
    {
        var run = Run(name);
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        Assert.NotNull(run.Executed);
        // the engine went on to the end: every notebook's last code cell prints or draws something
        Assert.NotEmpty(run.Executed!.CodeCells.Last().Outputs);
    }

    /// <summary>What each notebook must print even with a small budget: the lecture's parameter counts and step-0
    /// losses (the first progress line, <c>{step,7}/{max_steps,7}: {loss:.4f}</c>, with max_steps = the budget), and
    /// whether it draws charts (the loss log is a table). The file-based apps are held to the same lines (AppTests).</summary>
    public static TheoryData<string, bool, string[]> ExpectedLines => new()
    {
        // the loop cell prints the lecture's max_steps; the budget only shortens the run
        { "01-starter-mlp.ipynb", true, ["11897", "      0/ 200000: 27.8817", "the lecture's stage 'original' at init"] },
        { "02-fixing-the-initial-loss.ipynb", true, ["3.2958", "step 0 loss: 27.8817", "step 0 loss: 3.3221",
                "      0/    200: 3.3221", "the lecture's stage 'fix softmax confidently wrong' at init"] },
        { "03-fixing-the-saturated-tanh.ipynb", true, ["step 0 loss: 3.3221", "step 0 loss: 3.3135",
                "      0/    200: 3.3135", "the lecture's stage 'fix tanh layer too saturated at init' at init"] },
        { "04-kaiming-init.ipynb", true, ["11897", "calculate_gain(tanh) = 1.6667", "      0/    200: 3.3179",
                "the lecture's stage 'use semi-principled \"kaiming init\"' at init"] },
        { "05-batch-normalization.ipynb", true, ["12097", "step 0 loss: 3.3239", "      0/    200: 3.3239",
                "the lecture's stage 'add batch norm layer' at init"] },
        // 06 with no record at all (the tests give it an empty folder): it trains every stage here and says so in its rows
        { "06-loss-log.ipynb", false, ["01: no record (run 01-starter-mlp.ipynb to its end to make one)",
                "no record from 01: trained here     200  original                              27.8817 / 27.8817",
                "no record from 05: trained here     200  add batch norm layer                    3.3239 / 3.3239"] },
        // the cells' classes and loop (the lecture's max_steps in its line) against the library's copies, then the full run
        { "07-pytorchifying.ipynb", true, ["46497", "47024", "its parameters against the cells' at init: identical, bit for bit",
                "the cells' classes: mat1 and mat2 shapes cannot be multiplied (32x100 and 200x100)",
                "the library's Network: layer 2 (Linear): Linear(200, 100) takes inputs of shape (N, 200), got (32, 100)",
                "      0/ 200000: 3.2962", "lossi: 200 steps; ud: 200 × 13", "lossi, 200 against 200 steps: identical, bit for bit",
                "ud: identical, bit for bit", "parameters after training: identical, bit for bit",
                "every layer's out at the last step: identical, bit for bit", "and out.grad: identical, bit for bit",
                "      0/    200: 3.2962", "parameters at init: identical, bit for bit", "logits in training mode: identical, bit for bit",
                "gradients: identical, bit for bit", "running_mean and running_var after the step: identical, bit for bit",
                "logits in evaluation mode, dev split: identical, bit for bit"] },
        // the diagnostics stop after step 0 or 1000 of max_steps 200000, as the lecture's `break`
        { "08-viz-activations-and-gradients.ipynb", true, ["      0/ 200000: 3.2962",
                "layer 1 (      Tanh): mean -0.02, std 0.75, saturated: 20.25%", "5 of 5 lines identical to the lecture's",
                "layer 1 (      Tanh): mean +0.000000, std 1.892402e-05   ✓",
                "no lecture numbers for this table: the lecture ran gain 3 at init",
                // the layer written in the notebook: trained on autograd, said in one line, diagnosed
                "the fast path knows Linear, BatchNorm1d and Tanh, not layer 1 (ReLU): training on autograd instead.",
                "layer 1 (      ReLU): mean "] },
        { "09-the-linear-case.ipynb", true, ["      0/ 200000: 3.2959", "5 of 5 lines identical to the lecture's",
                "layer 0 (    Linear): mean -0.01, std 0.49, saturated: 5.06%   ✓",
                "no lecture reference for the linear net, gain 1: the lecture ran"] },
        { "10-viz-weights-and-update-ratios.ipynb", true, ["      0/ 200000: 3.2962", "grad:data ratio",
                // the 1001-step run is cut to 200 steps by the budget: no reference, said in one line
                "no lecture reference for gain 5/3, 200 steps, lr 0.1: the lecture ran this net for 1 step and for 1001 steps; this run took 200"] },
        { "11-bringing-back-batchnorm.ipynb", true, ["      0/ 200000: 3.2870", "47024"] },
        // E01: all zero, only the output bias (or the last beta) learns and every hidden unit is 0; E02: the fold
        { "12-exercises.ipynb", false, ["      0/    200: 3.2958",
                "layer 10 Linear bias            (27,): non-zero gradient from step 0 on, in 27 of 27 entries",
                "layer 16 BatchNorm1d beta       (27,): non-zero gradient from step 0 on, in 27 of 27 entries",
                "layer  1 (Tanh): 1 distinct value among its 100 units for dev example 0 (all +0.000000); over the first 1000 dev examples at most 1, largest max - min 0",
                "layer  1 (Tanh): 100 distinct values among its 100 units for dev example 0",
                "output probabilities over the dev split: largest spread across contexts 0,",
                "max |logits(BatchNorm net) - logits(folded net)| over all 22655 dev examples: ",
                "folded net:    ", "speed-up: ", "x.grad "] },
        // the gain explorer: the lecture's at-init numbers marked in its tables, the linear net's divergence named
        { "13-gain-explorer.ipynb", true, ["3.2962 ✓", "0.75 ✓", "20.25 ✓", "4.205588e-04 ✓",
                "its runs: gain 0.5 at init; gain 1 at init; gain 5/3 at init)", "1.990759e-05 ✓",
                "its runs: the linear net, gain 0.5, at init)", "NaN at step 5", "after 200 steps: val loss"] },
        // torch.nn's layers: the init from the global generator (its step-0 loss), the lecture's init copied in (3.2868, not
        // the lecture's 3.2870: torch.nn normalises with the biased variance), the layout and the variance, measured
        { "14-pytorch-layers.ipynb", true, ["parameters: 47024", "nn.Embedding's weight equals the lecture's C: True",
                "2.weight (100, 30)", "      0/  20000: 3.3032", "      0/ 200000: 3.2868",
                "the same map: max |ours(x) - nn(x)| = 0.0e+00", "output std, nn / lecture's: 1.0160   (sqrt(32/31) = 1.0160)"] },
        // no training: the same at any budget. The stage table's means and stds are PyTorch's (torchvision 0.14, the same seeds)
        { "15-resnet50.ipynb", false, ["parameters: 25,557,032 (about 25.6 million), trainable: 25,557,032",
                "parameters of layer1.0: 75,008 (layer1.0 by hand: 75,008)",
                "(conv1): Conv2d(64, 64, kernel_size=(1, 1), stride=(1, 1), bias=False)",
                "input    (2, 3, 224, 224)     -0.001    1.003", "conv1    (2, 64, 112, 112)     0.000    0.306",
                "bn1      (2, 64, 112, 112)     0.000    0.306", "relu     (2, 64, 112, 112)     0.122    0.179",
                "maxpool  (2, 64, 56, 56)       0.451    0.187", "layer1   (2, 256, 56, 56)      0.380    0.471",
                "layer2   (2, 512, 28, 28)      1.256    1.440", "layer3   (2, 1024, 14, 14)    10.940   13.278",
                "layer4   (2, 2048, 7, 7)      21.716   25.895", "avgpool  (2, 2048, 1, 1)      21.716   22.167",
                "flatten  (2, 2048)            21.716   22.167", "fc       (2, 1000)             0.447   17.767",
                "model.call(x): (2, 1000) in ", "the same logits as the loop: True"] },
    };

    [Theory, MemberData(nameof(ExpectedLines))]
    public void PrintsTheLecturesNumbersAndDrawsCharts(string name, bool charts, string[] expected)
    {
        var run = Run(name);
        Assert.True(run.Ok, run.Summary());
        string text = run.Executed!.AllText;
        foreach (string e in expected) Assert.Contains(e, text);
        if (string.CompareOrdinal(name, "07") >= 0)
            Assert.DoesNotContain("≠", text);     // part 2 compares only the lecture's own settings
        if (charts) Assert.NotEmpty(run.Executed.PlotlyCharts);
    }

    /// <summary>Charts without internet: plotly.js once per notebook, in the prelude cell's output, and charts that
    /// draw with it (no CDN, no require.js). The browser check (tests/Makemore.ChartCheck) draws them.</summary>
    [Theory, MemberData(nameof(Notebooks))]
    public void PlotlyJsIsEmbeddedOnceInThePreludeCellAndChartsLoadNothing(string name)
    {
        var run = Run(name);
        Assert.True(run.Ok, run.Summary());
        string plotlyJs = Assert.Single(run.Executed!.PlotlyJsOutputs);
        var prelude = run.Executed.CodeCells.ElementAt(1);
        Assert.Contains("Prelude.Setup(", prelude.Source);
        Assert.Contains(prelude.Outputs, o => o.Data.TryGetValue("text/html", out var html) && html == plotlyJs);
        Assert.Contains("* plotly.js v2.28.0", plotlyJs);
        foreach (string chart in run.Executed.PlotlyCharts)
        {
            Assert.StartsWith("<div id=\"makemore-chart-", chart);   // our formatter, not Plotly.NET.Interactive's
            foreach (string network in new[] { "cdn.plot.ly", "require.config", "requirejs", "https:" })
                Assert.DoesNotContain(network, chart);
        }
    }

    /// <summary>
    /// A wrong size in a layers list, trained in a cell of the real engine: the cell shows the error naming the layer and
    /// both shapes, and the next cell still runs. (TorchSharp 0.107's <c>matmul</c> would end the kernel with every
    /// result in it: the library's Linear checks the width and multiplies with <c>mm</c>.)
    /// </summary>
    [Fact]
    public void AWrongSizeInTheLayersListShowsAnErrorAndTheKernelRunsOn()
    {
        _ = Prepared.Value;
        string dir = Path.Combine(AppContext.BaseDirectory, "generated-notebooks");
        Directory.CreateDirectory(dir);
        string bin = Path.Combine(RepoFiles.Root, "lib", "Makemore.Notebook", "bin", "Release", "net10.0");
        // the packages and the library as every notebook loads them, with the library by full path
        var first = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "07-pytorchifying.ipynb")))!
            ["cells"]!.AsArray().First(c => (string?)c!["cell_type"] == "code")!;
        string packages = string.Concat(first["source"]!.AsArray().Select(l => (string)l!).Where(l => l.Contains("nuget:")));
        string[] cells =
        [
            packages + $"#r \"{Path.Combine(bin, "Makemore.dll")}\"\n#r \"{Path.Combine(bin, "Makemore.Notebook.dll")}\"",
            "Makemore.Notebook.Prelude.Setup();",
            """
            using Makemore.Data;
            using Makemore.Layers;
            using Makemore.Models;
            using Makemore.Training;
            using static TorchSharp.torch;
            var data = Dataset.Load(Dataset.FindDataFile());
            var g = new Generator(2147483647);
            var layers = new List<Layer> { new Linear(30, 100, generator: g), new Tanh(), new Linear(200, 100, generator: g) };
            var model = new Network(randn(27, 10, generator: g).requires_grad_(true), layers);
            Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: 10));
            """,
            "Console.WriteLine($\"the kernel is still running: {layers.Count} layers\");",
        ];
        var notebook = new System.Text.Json.Nodes.JsonObject
        {
            ["cells"] = new System.Text.Json.Nodes.JsonArray([.. cells.Select(source => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["polyglot_notebook"] = new System.Text.Json.Nodes.JsonObject { ["kernelName"] = "csharp" } },
                ["outputs"] = new System.Text.Json.Nodes.JsonArray(),
                ["source"] = source,
            })]),
            ["metadata"] = System.Text.Json.Nodes.JsonNode.Parse(
                """{"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "languageName": "csharp", "name": "csharp"}]}}}"""),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        string path = Path.Combine(dir, "wrong-size.ipynb");
        File.WriteAllText(path, notebook.ToJsonString());

        var run = Executor.Run(path, Path.Combine(dir, "out"), new Dictionary<string, string>(), _ => { });
        output.WriteLine(run.Summary());
        Assert.NotNull(run.Executed);
        var code = run.Executed!.CodeCells.ToList();
        Assert.Equal(4, code.Count);
        Assert.Null(code[1].Error);
        Assert.NotNull(code[2].Error);
        Assert.Contains("layer 2 (Linear): Linear(200, 100) takes inputs of shape (N, 200), got (32, 100)", code[2].Error!.Text);
        Assert.Contains("the kernel is still running: 3 layers", code[3].Text);
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

    /// <summary>
    /// A learner who edits a size in the cells must get an error to read, not a dead kernel: TorchSharp's <c>matmul</c>
    /// would end the process on a shape mismatch, the cells use <c>mm</c>. Notebook 03 up to its forward pass, then a W1
    /// with 40 rows where n_embd · block_size is 30, the first step, and one more cell, in the real engine.
    /// </summary>
    [Fact]
    public void AShapeMistakeInTheCellsShowsBothShapesAndTheKernelAnswersTheNextCell()
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "03-fixing-the-saturated-tanh.ipynb")))!;
        var cells = notebook["cells"]!.AsArray();
        int forward = cells.Select((c, i) => (c, i)).First(x => Source(x.c!).Contains("Tensor Forward(")).i;
        while (cells.Count > forward + 1) cells.RemoveAt(cells.Count - 1);
        var template = cells[forward]!;
        foreach (string source in new[]
        {
            "W1 = torch.randn(40, n_hidden, generator: g);   // 40 rows: n_embd * block_size is 30\n" +
            "parameters = [C, W1, b1, W2, b2];\nforeach (var p in parameters) p.requires_grad = true;",
            "Trainer.FirstStep(new Model(parameters, Forward), data.Xtr, data.Ytr, g);",
            "Console.WriteLine(\"the kernel still answers\");",
        })
        {
            var cell = template.DeepClone();
            cell["source"] = source;
            cells.Add(cell);
        }
        var run = RunScratch(notebook, "shape-mistake.ipynb");
        Assert.NotNull(run.Executed);
        var failed = Assert.Single(run.Executed!.CodeCells, c => c.Error is not null);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (32x30 and 40x200)", failed.Error!.Text);
        Assert.Contains("the kernel still answers", run.Executed.CodeCells.Last().Text);
    }

    /// <summary>
    /// Determinism across processes: notebook 01, run in the engine with the tests' step budget, prints exactly the
    /// split losses and the 20 names that the same seed and settings give in this process (the reference stage, which
    /// the tests hold bit for bit against the notebook's cells).
    /// </summary>
    [Fact]
    public void TheEnginePrintsTheNumbersThisProcessComputesForTheSameSeed()
    {
        var data = Part1TestData.Data;
        var (model, g) = Mlp.Create(MlpConfig.Starter, data.Vocab.Size, data.BlockSize);
        using var _ = model;
        Makemore.Training.Trainer.Train(model, data.Xtr, data.Ytr, g, new Makemore.Training.TrainingOptions(MaxSteps: Steps), TextWriter.Null);
        var losses = Makemore.Training.Evaluation.SplitLosses(model, data, TextWriter.Null);
        var names = Makemore.Training.Sampler.Sample(model, data.Vocab, data.BlockSize, 20);

        var run = Run("01-starter-mlp.ipynb");
        Assert.True(run.Ok, run.Summary());
        string text = run.Executed!.AllText.Replace("\r\n", "\n");
        Assert.Contains(losses.ToString().Replace("\r\n", "\n"), text);
        Assert.Contains(string.Join("\n", names), text);
    }

    /// <summary>
    /// Notebook 01's training loop, written in its cell, against the library's <see cref="Makemore.Training.Trainer.Train"/>
    /// that notebooks 02–05 call: 01's cells up to and including its loop (the tests' 200 steps), a cell that keeps the
    /// loop's lossi and parameters aside, 01's parameters cell again (the same draws from a fresh generator), and a cell
    /// that trains those with Trainer.Train for the same steps and throws unless lossi and every parameter after
    /// training are bit-identical. Only what a notebook can call: the engine sees the library's public side.
    /// </summary>
    [Fact]
    public void TheStarterNotebooksLoopCellTrainsBitForBitAsTrainerTrain()
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "01-starter-mlp.ipynb")))!;
        var cells = notebook["cells"]!.AsArray();
        int loop = cells.Select((c, i) => (c, i)).Single(x => Source(x.c!).Contains("foreach (int i in run)")).i;
        int draw = cells.Select((c, i) => (c, i)).Single(x => Source(x.c!).Contains("g  = new Generator(2147483647);")).i;
        while (cells.Count > loop + 1) cells.RemoveAt(cells.Count - 1);
        var keep = cells[loop]!.DeepClone();
        keep["source"] = "var cellLossi = lossi.ToList();\nvar cellParameters = parameters.Select(p => p.detach().clone()).ToList();";
        var check = cells[loop]!.DeepClone();
        check["source"] = """
            var library = Trainer.Train(new Model(parameters, Forward), data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: max_steps),
                                        System.IO.TextWriter.Null);
            if (library.Steps != cellLossi.Count || !library.Lossi.SequenceEqual(cellLossi))
                throw new Exception($"lossi differs: {library.Steps} steps of Trainer.Train, {cellLossi.Count} of the cell's loop");
            for (int k = 0; k < parameters.Count; k++)
                if (!parameters[k].eq(cellParameters[k]).all().item<bool>())
                    throw new Exception($"parameter {k} differs after {cellLossi.Count} steps");
            Console.WriteLine($"loop cell checked: {cellLossi.Count} steps, lossi and all {parameters.Count} parameters bit-identical to Trainer.Train");
            """;
        cells.Add(keep);
        cells.Add(cells[draw]!.DeepClone());
        cells.Add(check);
        var run = RunScratch(notebook, "loop-check.ipynb");
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        Assert.Contains("loop cell checked: 200 steps, lossi and all 5 parameters bit-identical to Trainer.Train",
                        run.Executed!.CodeCells.Last().Text);
    }

    /// <summary>
    /// Exercise E02 as notebook 12 writes it, checked independently of its text: the notebook's set-up cells, its net
    /// builder and its E02 cells (train a BatchNorm net, fold, compare), then one more cell that throws unless the
    /// notebook's own <c>maxDiff</c> (max |Δlogits| over the whole dev split) is below 1e-4.
    /// </summary>
    [Fact]
    public void TheExercisesNotebooksFoldOfBatchNormLeavesTheDevLogitsUnchanged()
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "12-exercises.ipynb")))!;
        var cells = notebook["cells"]!.AsArray();
        var code = cells.Where(c => (string?)c!["cell_type"] == "code").Select(c => c!).ToList();
        int builder = code.FindIndex(c => Source(c).Contains("Network DeepNet("));
        int train = code.FindIndex(c => Source(c).Contains("var bnModel = "));
        int compare = code.FindIndex(c => Source(c).Contains("maxDiff = "));
        Assert.True(builder > 3 && train > builder && compare > train, $"cells not found: {builder}, {train}, {compare}");
        var keep = code.Take(4).Append(code[builder]).Concat(code.Skip(train).Take(compare - train + 1))
                       .Select(c => c.DeepClone()).ToList();
        var check = code[compare].DeepClone();
        check["source"] = "if (!(maxDiff < 1e-4)) throw new Exception($\"the folded net's logits differ by {maxDiff}\");\n" +
                          "Console.WriteLine($\"fold checked: max |Δlogits| {maxDiff} < 1e-4\");";
        keep.Add(check);
        cells.Clear();
        foreach (var c in keep) cells.Add(c);
        var run = RunScratch(notebook, "fold-check.ipynb");
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        Assert.Contains("fold checked: max |Δlogits| ", run.Executed!.CodeCells.Last().Text);
    }

    /// <summary>
    /// Each viz loop is written once, in the notebook that teaches it (viz #1/#2 in 08, #3/#4 in 10); 09, 10 and 11 call
    /// the library's copies (<c>Viz.ActivationStats&lt;T&gt;</c>, …). A notebook made of 08's set-up cells, 08's cell
    /// that writes the net and viz #1/#2, 10's cell that writes viz #3/#4, and one more cell that trains three nets
    /// (the tanh net at gains 5/3 and 0.5, the BatchNorm net) and throws unless every loop prints the same lines and
    /// draws the same chart as its library copy. A change to either side fails it.
    /// </summary>
    [Fact]
    public void TheVizLoopsOf08And10PrintWhatTheLibrarysCopiesPrint()
    {
        var viz12 = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "08-viz-activations-and-gradients.ipynb")))!;
        var viz34 = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "10-viz-weights-and-update-ratios.ipynb")))!;
        var code12 = viz12["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code").Select(c => c!).ToList();
        var code34 = viz34["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code").Select(c => c!).ToList();
        var loops12 = Assert.Single(code12, c => Source(c).Contains("ActivationStats<T>(") && Source(c).Contains("GradientStats<T>("));
        var loops34 = Assert.Single(code34, c => Source(c).Contains("WeightStats(IReadOnlyList") && Source(c).Contains("UpdateRatioStats(IReadOnlyList"));
        Assert.Contains("Network DeepTanhNet(", Source(loops12));
        var check = loops12.DeepClone();
        check["source"] = """
            void Same(string what, (List<string> Lines, GenericChart Chart) cell, (List<string> Lines, GenericChart Chart) library)
            {
                if (cell.Lines.Count == 0) throw new Exception($"{what}: the cell's loop printed nothing");
                if (!cell.Lines.SequenceEqual(library.Lines))
                    throw new Exception($"{what}: the cell prints\n{string.Join("\n", cell.Lines)}\nthe library's copy\n{string.Join("\n", library.Lines)}");
                if (GenericChart.toJson(cell.Chart) != GenericChart.toJson(library.Chart)) throw new Exception($"{what}: the charts differ");
                Console.WriteLine($"{what}: {cell.Lines.Count} lines and the chart equal");
            }
            foreach (var (name, batchNorm, gain) in new[] { ("tanh net, gain 5/3", false, 5.0 / 3), ("tanh net, gain 0.5", false, 0.5), ("BatchNorm net, gain 1", true, 1.0) })
            {
                var g = new Generator(2147483647);
                IModel model = batchNorm ? Network.Create(g, new NetworkOptions(BatchNorm: true, Gain: gain)) : DeepTanhNet(g, gain);
                IReadOnlyList<Layer> layers = ((Network)model).Layers;
                var result = Trainer.Train(model, data.Xtr, data.Ytr, g, TrainingOptions.BreakAfter(150));
                Same($"{name}: viz #1", ActivationStats<Tanh>(layers, "t"), Viz.ActivationStats<Tanh>(layers, "t"));
                Same($"{name}: viz #1 of the Linears", ActivationStats<Linear>(layers, "t"), Viz.ActivationStats<Linear>(layers, "t"));
                Same($"{name}: viz #2", GradientStats<Tanh>(layers, "t"), Viz.GradientStats<Tanh>(layers, "t"));
                Same($"{name}: viz #3", WeightStats(model.Parameters, "t"), Viz.WeightStats(model.Parameters, "t"));
                Same($"{name}: viz #4", UpdateRatioStats(model.Parameters, result.Ud, "t"), Viz.UpdateRatioStats(model.Parameters, result.Ud, "t"));
            }
            """;
        var keep = code12.Take(4).Append(loops12).Append(loops34).Append(check).Select(c => c.DeepClone()).ToList();
        var cells = viz12["cells"]!.AsArray();
        cells.Clear();
        foreach (var c in keep) cells.Add(c);
        var run = RunScratch(viz12, "viz-loops-check.ipynb");
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        string text = run.Executed!.CodeCells.Last().Text;
        output.WriteLine(text);
        Assert.Equal(15, text.Split('\n').Count(l => l.EndsWith("lines and the chart equal")));
    }

    /// <summary>Each of 01–05 ends by recording its run for 06: the lecture's stage it is (its cells are that stage at
    /// init), the tests' 200 steps, its step-0 loss and the split losses it printed.</summary>
    [Theory]
    [InlineData("01-starter-mlp.ipynb", "01")]
    [InlineData("02-fixing-the-initial-loss.ipynb", "02")]
    [InlineData("03-fixing-the-saturated-tanh.ipynb", "03")]
    [InlineData("04-kaiming-init.ipynb", "04")]
    [InlineData("05-batch-normalization.ipynb", "05")]
    public void EachPartOneNotebookRecordsItsRunFor06(string name, string notebook)
    {
        var run = Run(name);
        Assert.True(run.Ok, run.Summary());
        var record = RunRecord.Load(notebook, RecordsOf(name));
        Assert.NotNull(record);
        var stage = RunRecord.Part1Notebooks.Single(p => p.Notebook == notebook).Stage;
        Assert.Equal(stage.Name, record!.Stage);
        Assert.False(record.FullRun);
        Assert.Equal(Steps, record.Steps);
        Assert.Equal(LectureReference.Part1(stage.Name).Step0Loss!.Value, record.Step0Loss, 4);
        string text = run.Executed!.AllText;
        Assert.Contains(Makemore.Training.Evaluation.Line("train", record.Train), text);   // the split_loss it printed
        Assert.Contains(Makemore.Training.Evaluation.Line("val", record.Val), text);
        Assert.Contains(record.ToString(), text);
    }

    /// <summary>06 with records: a run of 03 with W1 × 0.1 is "yours" with no lecture numbers, the lecture's runs of 01
    /// and 05 carry its step-0 losses, and the stages with no record (02, 04) are trained in the notebook and say so.
    /// The records are made here as 01–05's last cells make them, from runs of the library's stages.</summary>
    [Fact]
    public void TheLossLogShowsATweakedRunAsYoursAndTrainsOnlyTheStagesWithNoRecord()
    {
        var data = Part1TestData.Data;
        string records = Path.Combine(RecordsRoot, "06-with-records");
        foreach (var (notebook, stage) in new[] { ("01", MlpConfig.Starter),
                                                  ("03", MlpConfig.FixSaturatedTanh with { W1 = 0.1 }),
                                                  ("05", MlpConfig.BatchNorm) })
        {
            using var trained = StageRun.Train(data, stage, Steps, log: TextWriter.Null);
            RunRecord.Of(notebook, data, trained.Training, trained.TrainLoss, trained.ValLoss).Save(records);
        }
        _ = Prepared.Value;
        var run = Executor.Run(Path.Combine(RepoFiles.Notebooks, "06-loss-log.ipynb"),
                               Path.Combine(AppContext.BaseDirectory, "executed-notebooks", "06-with-records"),
                               EngineEnvironment(records), _ => { });
        output.WriteLine(run.Summary());
        Assert.True(run.Ok, run.Summary() + "\n" + run.Log);
        string text = run.Executed!.AllText;
        Assert.Contains("03: yours: W1 × 0.1, 200 steps, step 0 loss ", text);
        Assert.Matches(@"\n03 +200  yours: W1 × 0\.1 +\d\.\d{4} /      — ", text);
        Assert.Matches(@"\n01 +200  original +27\.8817 / 27\.8817 ", text);
        Assert.Matches(@"\n05 +200  add batch norm layer +3\.3239 / 3\.3239 ", text);
        Assert.Matches(@"\nno record from 02: trained here +200  fix softmax confidently wrong +3\.3221 / 3\.3221 ", text);
        Assert.Contains("# no record from 04: training its stage here", text);
        Assert.DoesNotContain("# no record from 01", text);
        Assert.DoesNotContain("# no record from 03", text);
    }

    static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        var s => (string?)s ?? "",
    };
}
