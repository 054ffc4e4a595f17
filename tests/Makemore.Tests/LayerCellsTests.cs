using System.Text.Json.Nodes;
using Makemore.Layers;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// Notebook 07 writes the lecture's <c>Linear</c>, <c>BatchNorm1d</c> and <c>Tanh</c> as classes in a cell, builds the
/// net and trains it with the lecture's part-2 loop in its cells; notebooks 08 on use the library's copies
/// (<see cref="Makemore.Layers"/>). Here 07's own cells run in the notebook engine's C# kernel, in process, and what
/// they leave (lossi, ud, the parameters, every layer's out and out.grad, BatchNorm's buffers) must equal, bit for bit,
/// what the library's copies give under <see cref="Trainer.Train"/> from the same seed: a change to either side that
/// changes a number fails here.
/// </summary>
[Collection(InProcessTorch.Name)]   // the cells' loop runs through Trainer.Steps, which reads Trainer.Monitor
public class LayerCellsTests
{
    public LayerCellsTests() => torch.set_num_threads(1);

    static readonly Data.Dataset Data = Part1TestData.Data;

    // 07's code cells, found by what they hold (the notebook's order of cells may change).
    static readonly string[] Cells = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, "07-pytorchifying.ipynb")))!
        ["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code")
        .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string)l!))).ToArray();

    static string Cell(string holding) => Assert.Single(Cells, c => c.Contains(holding));

    // What the cells' loop leaves, read out of the kernel in one expression.
    const string Outcome = "(parameters, lossi, ud, layers.Select(l => l.@out).ToList(), layers.Select(l => l.@out.grad).ToList(), " +
                           "layers.OfType<BatchNorm1d>().SelectMany(bn => new[] { bn.running_mean, bn.running_var }).ToList())";

    sealed record CellRun(List<Tensor> Parameters, List<float> Lossi, List<float[]> Ud, List<Tensor> Out, List<Tensor> OutGrad,
                          List<Tensor> Buffers, string Printed);

    static async Task<(CSharpKernel Kernel, Func<string, Task<KernelCommandResult>> Submit)> KernelWithTheClasses()
    {
        var kernel = new CSharpKernel();
        Task<KernelCommandResult> Submit(string code) => kernel.Submit(code);
        await Submit($"#r \"{typeof(torch).Assembly.Location}\"\n#r \"{typeof(Trainer).Assembly.Location}\"\n" +
                     $"#r \"{typeof(Makemore.Notebook.Prelude).Assembly.Location}\"");
        await Submit(Cell("using Lib = Makemore.Layers;"));
        await Submit(Cell("Dataset.Load("));
        await Submit(Cell("abstract class Layer"));
        return (kernel, Submit);
    }

    static async Task<CellRun> RunTheLoop(Func<string, Task<KernelCommandResult>> submit, string loop)
    {
        var ran = await submit(loop);
        string printed = string.Concat(ran.Events.OfType<StandardOutputValueProduced>()
                                          .SelectMany(e => e.FormattedValues).Select(v => v.Value));
        var value = Assert.Single((await submit(Outcome)).Events.OfType<ReturnValueProduced>()).Value;
        var (parameters, lossi, ud, outs, grads, buffers) =
            ((List<Tensor>, List<float>, List<float[]>, List<Tensor>, List<Tensor>, List<Tensor>))value!;
        return new CellRun(parameters, lossi, ud, outs, grads, buffers, printed);
    }

    static void AssertSame(IReadOnlyList<Tensor> cells, IReadOnlyList<Tensor?> library, string what)
    {
        Assert.Equal(library.Count, cells.Count);
        for (int k = 0; k < cells.Count; k++)
        {
            Assert.NotNull(library[k]);
            Assert.Equal(library[k]!.shape, cells[k].shape);
            Assert.True(cells[k].eq(library[k]!).all().item<bool>(),
                        $"{what} {k}: max |cells − library| {(cells[k] - library[k]!).abs().max().item<float>():G3}");
        }
    }

    static void AssertSameBits(IReadOnlyList<float> cells, IReadOnlyList<float> library, string what) =>
        Assert.True(cells.Select(BitConverter.SingleToInt32Bits).SequenceEqual(library.Select(BitConverter.SingleToInt32Bits)),
                    $"{what}: the cells' {cells.Count} values are not the library's {library.Count}");

    static void AssertSameRun(CellRun cells, Network library, TrainingResult result)
    {
        AssertSameBits(cells.Lossi, result.Lossi, "lossi");
        Assert.Equal(result.Ud.Count, cells.Ud.Count);
        for (int i = 0; i < cells.Ud.Count; i++) AssertSameBits(cells.Ud[i], result.Ud[i], $"ud of step {i}");
        AssertSame(cells.Parameters, library.Parameters, "parameter");
        AssertSame(cells.Out, [.. library.Layers.Select(l => l.Out)], "out of layer");
        AssertSame(cells.OutGrad, [.. library.Layers.Select(l => l.OutGrad)], "out.grad of layer");
        AssertSame(cells.Buffers, library.Buffers, "buffer");
    }

    [Fact]
    public async Task TheCellsClassesNetAndLoopGiveTheLibrarysNumbersBitForBit()
    {
        var (kernel, submit) = await KernelWithTheClasses();
        using var _ = kernel;
        await submit(Cell("var layers = new List<Layer>"));
        var cells = await RunTheLoop(submit, Cell("Trainer.Steps("));

        // the lecture's loop, stopped by its break after step 1000, and its first printed line
        Assert.Equal(1001, cells.Lossi.Count);
        Assert.StartsWith("      0/ 200000: 3.2962", cells.Printed);
        Assert.Equal(13, cells.Ud[0].Length);

        var g = new Generator(2147483647);
        var library = NetworkTests.CellNet(g, 5.0 / 3);
        var result = Trainer.Train(library, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(1000), TextWriter.Null);
        AssertSameRun(cells, library, result);
    }

    [Fact]
    public async Task TheCellsBatchNorm1dTrainsAsTheLibrarysBitForBit()
    {
        var (kernel, submit) = await KernelWithTheClasses();
        using var _ = kernel;
        await submit(Cell("var layers = new List<Layer>"));
        await submit(Cell("var layersBn = new List<Layer>"));
        // The loop cell as it is, on the BatchNorm list (its draws and minibatches from its own generator), for 101
        // steps: the batch statistics, the running-average buffers and the gradients through them, step after step.
        await submit("C = Cbn; layers = layersBn; parameters = parametersBn; g = gBn;");
        string loop = Cell("Trainer.Steps(");
        Assert.Contains("if (i >= 1000)", loop);
        var cells = await RunTheLoop(submit, loop.Replace("if (i >= 1000)", "if (i >= 100)"));
        Assert.Equal(101, cells.Lossi.Count);
        Assert.Equal(12, cells.Buffers.Count);   // six BatchNorm1d, two buffers each

        var g = new Generator(2147483647);
        var library = NetworkTests.CellNet(g, 5.0 / 3, batchNorm: true);
        var result = Trainer.Train(library, Data.Xtr, Data.Ytr, g, TrainingOptions.BreakAfter(100), TextWriter.Null);
        AssertSameRun(cells, library, result);
    }
}
