using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace Makemore.Tests;

/// <summary>
/// The stop button in the engine itself: the C# kernel that VS Code's Polyglot Notebooks run, in process. Its
/// <c>Cancel</c> command is what the button sends. A cell training for ever stops with the state of its last step,
/// and the next cell trains the same model on.
/// </summary>
[Collection(InProcessTorch.Name)]
public class KernelStopTests
{
    /// <summary>The training cell's log: tells the test when the cell has printed a few lines.</summary>
    public sealed class UnderWay : StringWriter
    {
        public readonly ManualResetEventSlim Reached = new();
        int lines;
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (++lines == 3) Reached.Set();
        }
    }

    public static UnderWay? Current;

    /// <summary>What the training cell threw, handed to the test (the kernel reports the cancelled command at once,
    /// before the cell's code has seen the cancellation).</summary>
    public static readonly TaskCompletionSource<Exception> Ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The same for the loop written in a cell.</summary>
    public static readonly TaskCompletionSource<Exception> EndedSteps = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The engine's C# kernel with TorchSharp, the library and these tests referenced, and the notebooks' prelude run.
    static async Task<CSharpKernel> KernelWithTheLibrary()
    {
        var kernel = new CSharpKernel();
        await kernel.Submit($"#r \"{typeof(TorchSharp.torch).Assembly.Location}\"\n#r \"{typeof(Makemore.Training.Trainer).Assembly.Location}\"\n" +
                            $"#r \"{typeof(KernelStopTests).Assembly.Location}\"");
        await kernel.Submit("Makemore.Notebook.Prelude.Setup();");
        return kernel;
    }

    [Fact]
    public async Task TheKernelsStopButtonStopsATrainingCellAndTheNextCellGoesOn()
    {
        using var kernel = await KernelWithTheLibrary();
        Task<KernelCommandResult> Submit(string code) => kernel.Submit(code);
        await Submit("""
            using Makemore.Training;
            var data = Makemore.Data.Dataset.Load(Makemore.Data.Dataset.FindDataFile());
            var g = new TorchSharp.torch.Generator(2147483647);
            var model = Makemore.Models.Network.Create(g);
            """);

        var log = new UnderWay();
        Current = log;
        var training = kernel.SendAsync(new SubmitCode("""
            try { Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: 100_000_000, PrintEvery: 100),
                                Makemore.Tests.KernelStopTests.Current); }
            catch (Exception e) { Makemore.Tests.KernelStopTests.Ended.SetResult(e); throw; }
            """));
        Assert.True(log.Reached.Wait(TimeSpan.FromMinutes(2)), "the training cell got under way");
        await kernel.SendAsync(new Cancel());                        // the stop button
        var stopped = await training;

        Assert.Single(stopped.Events.OfType<CommandFailed>());          // the kernel reports the cell cancelled
        var ended = await Ended.Task.WaitAsync(TimeSpan.FromMinutes(2));  // and the loop saw it at its next step
        var e = Assert.IsType<Makemore.Training.TrainingStoppedException>(ended);
        Assert.InRange(e.Partial.Steps, 201, 99_999_999);
        Assert.Contains($"stopped after {e.Partial.Steps} of 100000000 steps", e.Message);
        var next = await Submit("Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: 5), System.IO.TextWriter.Null).Steps");
        Assert.Equal(5, Assert.Single(next.Events.OfType<ReturnValueProduced>()).Value);
    }

    /// <summary>A training loop written in a cell, as notebook 01's, over <see cref="Makemore.Training.Trainer.Steps"/>:
    /// the stop button ends it before its next step with the steps done, lossi holds exactly those, and the next cell
    /// goes on.</summary>
    [Fact]
    public async Task TheStopButtonStopsALoopWrittenInACell()
    {
        using var kernel = await KernelWithTheLibrary();
        Task<KernelCommandResult> Submit(string code) => kernel.Submit(code);
        await Submit("""
            using Makemore.Training;
            using TorchSharp;
            var data = Makemore.Data.Dataset.Load(Makemore.Data.Dataset.FindDataFile());
            var g = new TorchSharp.torch.Generator(2147483647);
            var model = Makemore.Models.Network.Create(g);
            var parameters = model.Parameters;
            var lossi = new List<float>();
            """);

        var log = new UnderWay();
        Current = log;
        var training = kernel.SendAsync(new SubmitCode("""
            try
            {
                foreach (int i in Trainer.Steps(100_000_000, lossi, parameters))
                {
                    using var scope = torch.NewDisposeScope();
                    var ix = torch.randint(0, data.Xtr.shape[0], [32], generator: g);
                    var loss = torch.nn.functional.cross_entropy(model.Forward(data.Xtr[ix], true), data.Ytr[ix]);
                    foreach (var p in parameters) p.grad = null;
                    loss.backward();
                    using (torch.no_grad())
                        foreach (var p in parameters) p.add_(-0.1 * p.grad);
                    if (i % 100 == 0) Makemore.Tests.KernelStopTests.Current.WriteLine($"{i}");
                    lossi.Add(loss.log10().item<float>());
                }
            }
            catch (Exception e) { Makemore.Tests.KernelStopTests.EndedSteps.SetResult(e); throw; }
            """));
        Assert.True(log.Reached.Wait(TimeSpan.FromMinutes(2)), "the training cell got under way");
        await kernel.SendAsync(new Cancel());                        // the stop button
        await training;

        var ended = await EndedSteps.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var e = Assert.IsType<Makemore.Training.TrainingStoppedException>(ended);
        Assert.InRange(e.Partial.Steps, 201, 99_999_999);
        Assert.Contains($"stopped after {e.Partial.Steps} of 100000000 steps", e.Message);
        var count = await Submit("lossi.Count");
        Assert.Equal(e.Partial.Steps, Assert.Single(count.Events.OfType<ReturnValueProduced>()).Value);
    }
}
