using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>
/// The steps of a training loop written in a cell (<see cref="Trainer.Steps"/>): the step numbers 0, 1, 2… for a
/// <c>foreach</c>, and around each step what the library's loop does around its own: the step cap
/// (<see cref="Budget"/>), the stop button, the live progress line and the run's record (<see cref="Result"/>).
/// It can be enumerated once.
/// </summary>
public sealed class TrainingSteps : IEnumerable<int>
{
    // Steps whose update is sampled: every 1000th and the one before it (so a learning-rate change at a round step is
    // seen on both sides of it), and the last. A sample costs a copy of the parameters: about 400 of 200000 steps.
    const int SampleEvery = 1000;
    const int SampledValues = 16;   // per parameter, those with the largest gradients

    readonly int maxSteps;
    readonly List<float> lossi;
    readonly IReadOnlyList<Tensor> parameters;
    readonly string label;
    readonly CancellationToken cancellation;
    readonly List<ParameterSnapshot> initial = [];
    bool started;

    /// <param name="count">The steps to take: max_steps, capped (<see cref="Budget.Steps(int)"/>).</param>
    internal TrainingSteps(int maxSteps, List<float> lossi, IEnumerable<Tensor> parameters, string label,
                           CancellationToken cancellation, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1, "max_steps");
        ArgumentNullException.ThrowIfNull(lossi);
        ArgumentNullException.ThrowIfNull(parameters);
        this.maxSteps = maxSteps;
        this.lossi = lossi;
        this.parameters = [.. parameters];
        this.label = label;
        this.cancellation = cancellation;
        Count = Math.Min(count, maxSteps);
        Result = new TrainingResult { Initial = initial };
    }

    /// <summary>The steps this loop takes: max_steps, or the <c>MAKEMORE_STEPS</c> cap when that is smaller.</summary>
    public int Count { get; }

    /// <summary>The run's record, filled as the loop goes: the parameters before the first step
    /// (<see cref="TrainingResult.Initial"/>), the lossi the body appended, sampled updates
    /// (<see cref="TrainingResult.Updates"/>), the time. Its <see cref="TrainingResult.Options"/> are null: the loop's
    /// schedule is in the cell, where the library cannot read it.</summary>
    public TrainingResult Result { get; }

    /// <summary>The run's record where a <see cref="TrainingResult"/> is expected (the charts, the comparisons).</summary>
    public static implicit operator TrainingResult(TrainingSteps steps) => steps.Result;

    public IEnumerator<int> GetEnumerator()
    {
        if (started)
            throw new InvalidOperationException("these training steps have run already: call Trainer.Steps again for a new loop");
        started = true;
        return Run();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    IEnumerator<int> Run()
    {
        Trainer.CheckParameters(parameters);
        var cancellation = this.cancellation == default ? Trainer.AmbientCancellation?.Invoke() ?? default : this.cancellation;
        var result = Result;
        initial.AddRange(parameters.Select(ParameterSnapshot.Of));
        int start = lossi.Count;
        // The lines are the cell's to print (max_steps as the cell wrote it); the cap only shortens the run.
        var options = new TrainingOptions(MaxSteps: maxSteps, StopAfter: Count < maxSteps ? Count - 1 : null, Label: label);
        var report = new RunReport(TextWriter.Null, options, result, echo: false);
        var state = TrainingState.Failed;
        Tensor[]? before = null;
        try
        {
            for (int i = 0; i < Count; i++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    state = TrainingState.Stopped;
                    throw new TrainingStoppedException(
                        $"{label}: stopped after {result.Steps} of {Count} steps; the parameters are as after step " +
                        $"{result.Steps - 1}, and lossi holds those steps' losses.", result, cancellation);
                }
                bool sampled = i % SampleEvery == 0 || i % SampleEvery == SampleEvery - 1 || i == Count - 1;
                if (sampled) before = Copy(parameters);

                yield return i;   // the cell's loop body: one step

                Completed(i, start, ref before, report);
            }
            state = TrainingState.Finished;
        }
        finally
        {
            // The loop's `break` (the lecture's is its body's last line) leaves after a completed step, whose loss is in
            // lossi: record it, and the run ended as its loop said. An exception in the body leaves before that line.
            if (state == TrainingState.Failed && result.Steps < Count && lossi.Count == start + result.Steps + 1)
            {
                Completed(result.Steps, start, ref before, report);
                state = TrainingState.Finished;
            }
            if (before is not null) Dispose(ref before);
            report.End(state);
        }
    }

    // After the body of step i: its loss from lossi, its update sample, the progress line.
    void Completed(int i, int start, ref Tensor[]? before, RunReport report)
    {
        if (lossi.Count != start + i + 1)
            throw new InvalidOperationException(
                $"{label}: after step {i}, lossi holds {lossi.Count - start} losses of this loop instead of {i + 1}: " +
                "the loop's body appends one per step, as its last line (lossi.Add(loss.log10().item<float>()))");
        float log10Loss = lossi[^1];
        Result.Lossi.Add(log10Loss);
        if (before is not null)
        {
            Result.Updates.Add(Sample(i, before, parameters));
            Dispose(ref before);
        }
        report.Step(i, MathF.Pow(10, log10Loss));
    }

    static Tensor[] Copy(IReadOnlyList<Tensor> parameters)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return [.. parameters.Select(p => p.detach().clone().DetachFromDisposeScope())];
    }

    static void Dispose(ref Tensor[]? tensors)
    {
        foreach (var t in tensors!) t.Dispose();
        tensors = null;
    }

    // Before, gradient and after for the values with the largest gradients of each parameter. A parameter without a
    // gradient (the body did not call backward, or set the grads to null after the update) gets NaNs: no lr explains it.
    static UpdateSample Sample(int step, Tensor[] before, IReadOnlyList<Tensor> parameters)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        List<float> b = [], g = [], a = [];
        for (int k = 0; k < parameters.Count; k++)
        {
            var p = parameters[k].detach().flatten();
            var grad = parameters[k].grad;
            int n = (int)Math.Min(SampledValues, p.numel());
            if (grad is null)
            {
                b.AddRange(Enumerable.Repeat(float.NaN, n));
                g.AddRange(Enumerable.Repeat(float.NaN, n));
                a.AddRange(Enumerable.Repeat(float.NaN, n));
                continue;
            }
            var flat = grad.flatten();
            var ix = flat.abs().topk(n).indexes;
            b.AddRange(before[k].flatten().index_select(0, ix).data<float>());
            g.AddRange(flat.index_select(0, ix).data<float>());
            a.AddRange(p.index_select(0, ix).data<float>());
        }
        return new UpdateSample(step, [.. b], [.. g], [.. a]);
    }
}
