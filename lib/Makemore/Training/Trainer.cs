using Makemore.Data;
using Makemore.Models;
using Makemore.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>
/// The lecture's training loop: minibatch indices from the shared generator, forward, cross-entropy, grads set to
/// none, backward, <c>p.data += -lr * p.grad</c>, <c>lossi</c>, optional <c>ud</c>, a printed line every 10000 steps.
/// Each step runs in its own dispose scope so native memory stays flat.
/// </summary>
public static class Trainer
{
    /// <summary>Where a run shows its live status (the notebook prelude sets a display that updates in place); none by
    /// default.</summary>
    internal static Func<TrainingOptions, IProgress<TrainingStatus>?>? Monitor { get; set; }

    /// <summary>The token a run observes when its caller passes none: in a notebook, the stop button's (the prelude sets
    /// it); none by default.</summary>
    internal static Func<CancellationToken>? AmbientCancellation { get; set; }

    /// <summary>
    /// Trains <paramref name="model"/> on (<paramref name="Xtr"/>, <paramref name="Ytr"/>) with minibatches drawn from
    /// <paramref name="g"/>. However the run ends, the model holds the state after its last completed step. A run that
    /// is cancelled (the notebook's stop button) throws <see cref="TrainingStoppedException"/>, one whose loss stops
    /// being a number <see cref="TrainingDivergedException"/>; both carry what was recorded until then.
    /// </summary>
    public static TrainingResult Train(IModel model, Tensor Xtr, Tensor Ytr, Generator g, TrainingOptions options,
                                       TextWriter? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        options = Capped(options);
        CheckParameters(model.Parameters);
        CheckSplit(Xtr, Ytr, options, model);
        log ??= Console.Out;
        if (cancellation == default) cancellation = AmbientCancellation?.Invoke() ?? default;
        var initial = model.Parameters.Select(ParameterSnapshot.Of).ToList();
        if (options.Fast)
        {
            var (net, reason) = FastNet.Compile(model, options.BatchSize);
            if (net is not null)
                return FastTrainer.Train(net, model, Xtr, Ytr, g, options, initial, log, cancellation);
            log.WriteLine($"{reason}: training on autograd instead.");
        }
        var result = new TrainingResult { Options = options, Initial = initial };
        var parameters = model.Parameters;
        // A Scalar for −lr, made once per learning rate rather than once per parameter and step (each is a native
        // object). Same values, same kernels: the numbers are the lecture's to the bit (see TrainerTests).
        double lr = double.NaN;
        Scalar? negLrScalar = null;
        float negLr = float.NaN;
        // add_(t) is add_(t, alpha: 1) with a Scalar made for the call and left to the GC, which TorchSharp 0.107 does not
        // keep alive across the native call: a collection during it can free the alpha in use (seen once, as libtorch's
        // "Expected false to be true" from Scalar::toFloat). One alpha held for the run: the same kernel, the same bits.
        var one = 1.ToScalar();
        var updates = new Tensor[parameters.Count];
        // BatchNorm's running statistics as they were before the step: a step that fails puts them back.
        var backup = new BufferBackup(model.Buffers);
        // lossi holds each step's loss until its log10 is taken, for a thousand steps at once (one tensor op instead of
        // two native calls a step: libtorch's log10 maps every element alike, so the bits are the per-step ones).
        int log10Done = 0;
        void TakeLog10()
        {
            if (log10Done == result.Lossi.Count) return;
            using var scope = NewDisposeScope();
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(result.Lossi)[log10Done..];
            tensor(span.ToArray()).log10_().data<float>().ToArray().CopyTo(span);
            log10Done = result.Lossi.Count;
        }
        var profile = Profile;
        return Loop(options, result, log, cancellation, i =>
        {
            profile?.Mark(StepProfile.Phase.Loop);
            double stepLr = options.LearningRate(i);
            if (stepLr != lr)
            {
                negLrScalar?.Dispose();
                lr = stepLr;
                negLrScalar = (-lr).ToScalar();
                negLr = (float)-lr;   // what libtorch multiplies a float32 tensor by for the Scalar −lr
            }
            float lossValue;
            using (var scope = NewDisposeScope())
            {
                var (_, Xb, Yb) = Minibatch(Xtr, Ytr, g, options.BatchSize);
                model.BeginStep(i, last: i == options.LastStep);
                profile?.Mark(StepProfile.Phase.Minibatch);
                backup.Save();
                profile?.Mark(StepProfile.Phase.SaveBuffers);
                // forward pass
                var logits = i == 0 ? FirstForward(model, Xb, Yb, Xtr, options) : model.Forward(Xb, training: true);
                profile?.Mark(StepProfile.Phase.Forward);
                var loss = nn.functional.cross_entropy(logits, Yb);
                profile?.Mark(StepProfile.Phase.Loss);
                // A loss that is no longer a number stops training before its gradients reach the parameters, so the
                // model keeps its last good state.
                lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                {
                    backup.Restore();
                    throw Diverged(options, lossValue, i, lr, result);
                }
                profile?.Mark(StepProfile.Phase.Item);
                // backward pass
                foreach (var p in parameters) p.grad = null;
                profile?.Mark(StepProfile.Phase.ZeroGrad);
                loss.backward();
                if (i == 0) CheckGradients(parameters);
                profile?.Mark(StepProfile.Phase.Backward);
                model.AfterBackward();
                profile?.Mark(StepProfile.Phase.AfterBackward);
                // update: p.data += -lr * p.grad
                using (no_grad())
                    for (int k = 0; k < parameters.Count; k++)
                    {
                        var p = parameters[k];
                        using var grad = p.grad!;
                        // ud needs the update as a tensor. Otherwise a dense float32 parameter is updated in its own
                        // memory with the same two roundings (the product to float, then the sum): three native calls
                        // per parameter fewer, and the same bits (TrainerTests).
                        if (options.RecordUpdateRatios || !Floats.TryInPlace(p, out var data) || !Floats.TryInPlace(grad, out var gradData))
                            p.add_(updates[k] = grad.mul(negLrScalar!), one);
                        else
                            Floats.Axpby(negLr, gradData, 1f, data);
                    }
                profile?.Mark(StepProfile.Phase.Update);

                // track stats: log10 on the tensor, as the lecture (MathF.Log10 differs from libtorch's in the last bit),
                // taken for many steps at once (TakeLog10)
                result.Lossi.Add(lossValue);
                if (result.Lossi.Count - log10Done >= 1000) TakeLog10();
                profile?.Mark(StepProfile.Phase.Lossi);
                if (options.RecordUpdateRatios)
                    result.Ud.Add(UpdateRatios(parameters, updates));
                profile?.Mark(StepProfile.Phase.Ud);
            }
            profile?.Mark(StepProfile.Phase.Dispose);
            return lossValue;
        }, () =>
        {
            TakeLog10();
            negLrScalar?.Dispose();
            one.Dispose();
            backup.Dispose();
            model.AfterTraining();
        });
    }

    /// <summary>
    /// The steps of a training loop written in a cell, as the lecture writes it:
    /// <code>
    /// int max_steps = 200000;
    /// var lossi = new List&lt;float&gt;();
    /// var run = Trainer.Steps(max_steps, lossi, parameters);
    /// foreach (int i in run)
    /// {
    ///     using var scope = torch.NewDisposeScope();   // this step's tensors are freed at its end
    ///     ... minibatch, forward, loss, p.grad = null, loss.backward(), lr, the update, the print ...
    ///     lossi.Add(loss.log10().item&lt;float&gt;());     // the body's last line: one loss per step
    /// }
    /// </code>
    /// (or <c>foreach (int i in Trainer.Steps(max_steps, lossi, parameters))</c> when the run's record is not needed;
    /// a torch.nn model passes <c>model.parameters()</c>).
    /// The loop takes max_steps steps, or the <c>MAKEMORE_STEPS</c> cap (<see cref="Budget"/>) when that is smaller.
    /// Before each step it honours the stop button (<see cref="AmbientCancellation"/>, or
    /// <paramref name="cancellation"/>): it throws <see cref="TrainingStoppedException"/>, and the parameters are as
    /// after the last completed step. After each step it reads the loss the body appended to <paramref name="lossi"/>
    /// (it throws if the body appended none or several) for the live progress line (<see cref="Monitor"/>, a few
    /// updates a second at most); when the loop ends (all steps, a <c>break</c> after the lossi line, an exception) it
    /// sends the last status. The body prints its own lines; nothing here guards against a loss that stops being a
    /// number (<see cref="Train"/> does). The returned steps' <see cref="TrainingSteps.Result"/> (also what the steps
    /// convert to) records the parameters before the first step, the lossi, and the update at sampled steps, so that
    /// a comparison with the lecture can check that the cell's loop applied the lecture's learning rates.
    /// </summary>
    public static TrainingSteps Steps(int max_steps, List<float> lossi, IEnumerable<Tensor> parameters,
                                      string label = "train", CancellationToken cancellation = default) =>
        new(max_steps, lossi, parameters, label, cancellation, Budget.Steps(Math.Max(max_steps, 1)));

    /// <summary>The options with the <c>MAKEMORE_STEPS</c> cap (<see cref="Budget"/>) applied where the loop runs: to
    /// max_steps, or to the <c>break</c> step when there is one (the lines then still print the lecture's max_steps).</summary>
    internal static TrainingOptions Capped(TrainingOptions options, string? cap = null)
    {
        cap ??= Environment.GetEnvironmentVariable(Budget.Variable);
        return options.StopAfter is int stopAfter
            ? options with { StopAfter = Budget.Steps(stopAfter + 1, cap) - 1 }
            : options with { MaxSteps = Budget.Steps(options.MaxSteps, cap) };
    }

    /// <summary>
    /// The loop both paths share: before each step, the stop button; after it, the printed line and the live status;
    /// at the end, however it ends, <paramref name="end"/> and the last status. A step either completes or throws
    /// before it changes the model, so a run that stops leaves the state of its last completed step.
    /// </summary>
    internal static TrainingResult Loop(TrainingOptions options, TrainingResult result, TextWriter log,
                                        CancellationToken cancellation, Func<int, float> step, Action end)
    {
        var report = new RunReport(log, options, result);
        var state = TrainingState.Failed;
        try
        {
            for (int i = 0; i <= options.LastStep; i++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    state = TrainingState.Stopped;
                    throw new TrainingStoppedException(
                        $"{options.Label}: stopped after {result.Steps} of {options.LastStep + 1} steps; the model keeps " +
                        $"the state after step {result.Steps - 1}, and this exception's Partial the lossi of those steps.",
                        result, cancellation);
                }
                report.Step(i, step(i));
            }
            state = TrainingState.Finished;
            return result;
        }
        finally
        {
            end();
            report.End(state);
        }
    }

    internal static TrainingDivergedException Diverged(TrainingOptions options, float loss, int step, double lr,
                                                       TrainingResult partial) =>
        new($"{options.Label}: the loss became {loss} at step {step} (lr {lr}); training stopped " +
            "with the parameters of the step before. A learning rate or an init scale that is too large " +
            "usually does this.", partial);

    // The lecture's `for p in parameters: p.requires_grad = True`: a tensor that was forgotten there would get no
    // gradient, and the update would fail half-way through a step. Say which one, before the first step.
    internal static void CheckParameters(IReadOnlyList<Tensor> parameters)
    {
        if (parameters.Count == 0) throw new ArgumentException("the model has no parameters to train");
        for (int k = 0; k < parameters.Count; k++)
        {
            var p = parameters[k];
            string which = $"parameter {k} {PyFormat.Shape(p.shape)}";
            if (p.dtype != ScalarType.Float32)
                throw new ArgumentException($"{which} is {p.dtype}; the training loop trains float32 tensors");
            if (!p.requires_grad)
                throw new ArgumentException($"{which} does not require grad: set `p.requires_grad = true` on every " +
                                            "tensor of the parameters list (the lecture's `for p in parameters: p.requires_grad = True`)");
            if (!p.is_leaf)
                throw new ArgumentException($"{which} is not a leaf tensor: it was computed from a tensor that requires " +
                                            "grad, so it gets no .grad of its own. Scale the draw before setting requires_grad.");
        }
    }

    // What the loop can tell about the data before the first step, each with its name: contexts (N, block_size) and
    // targets (N) of integer type, and a batch a BatchNorm can normalise.
    static void CheckSplit(Tensor Xtr, Tensor Ytr, TrainingOptions options, IModel model)
    {
        ArgumentNullException.ThrowIfNull(Xtr);
        ArgumentNullException.ThrowIfNull(Ytr);
        string xs = PyFormat.Shape(Xtr.shape), ys = PyFormat.Shape(Ytr.shape);
        if (Xtr.dim() != 2 || Xtr.shape[0] < 1)
            throw new ArgumentException($"the contexts Xtr have shape {xs}: the loop needs (N, block_size) with N ≥ 1", nameof(Xtr));
        if (Ytr.dim() != 1 || Ytr.shape[0] != Xtr.shape[0])
            throw new ArgumentException($"the targets Ytr have shape {ys}: the contexts {xs} need ({Xtr.shape[0]},)", nameof(Ytr));
        if (Xtr.dtype != ScalarType.Int64 || Ytr.dtype != ScalarType.Int64)
            throw new ArgumentException($"Xtr and Ytr are {Xtr.dtype} and {Ytr.dtype}: character indices are Int64 (torch.long)");
        // The lecture's BatchNorm normalises with the batch's unbiased std: one example has none (it divides by zero).
        if (model.Buffers.Count > 0 && options.BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize,
                "BatchSize is 1, but this model has BatchNorm running statistics: BatchNorm normalises with the batch's " +
                "unbiased std, which takes at least 2 examples");
    }

    // The first step is where data and model meet: a context length or a character index the model cannot take shows
    // up there as libtorch's bare message ("index out of range in self", "mat1 and mat2 shapes cannot be multiplied").
    // Said again with what the data holds, so the mismatch can be found.
    static Tensor FirstForward(IModel model, Tensor Xb, Tensor Yb, Tensor Xtr, TrainingOptions options)
    {
        try
        {
            var logits = model.Forward(Xb, training: true);
            if (logits.dim() != 2 || logits.shape[0] != Xb.shape[0])
                throw new ArgumentException($"{options.Label}: the forward pass gave logits of shape {PyFormat.Shape(logits.shape)} " +
                                            $"for a minibatch of {Xb.shape[0]} contexts: it must give ({Xb.shape[0]}, vocab_size)");
            using var _ = no_grad();
            using var targets = Yb.max();
            if (targets.item<long>() >= logits.shape[1])
                throw new ArgumentException($"{options.Label}: a target is character {targets.item<long>()}, but the model gives " +
                                            $"{logits.shape[1]} logits per context");
            return logits;
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            using var scope = NewDisposeScope();
            throw new ArgumentException(
                $"{options.Label}: the forward pass failed on the first minibatch: {e.Message.Split('\n')[0].Trim()}. The contexts " +
                $"are {PyFormat.Shape(Xb.shape)} (block_size {Xtr.shape[1]}) and hold character indices " +
                $"{Xtr.min().item<long>()}…{Xtr.max().item<long>()}: does the model take that block_size and vocabulary?", e);
        }
    }

    // A model's buffers (BatchNorm's running statistics) kept aside and put back: a failed step or the first-step probe
    // must leave them as they were.
    static Tensor[] CopyOf(IReadOnlyList<Tensor> buffers)
    {
        using var _ = no_grad();
        return [.. buffers.Select(b => b.clone().DetachFromDisposeScope())];
    }

    static void CopyInto(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> sources)
    {
        using var _ = no_grad();
        for (int k = 0; k < targets.Count; k++) targets[k].copy_(sources[k]);
    }

    // A parameter the forward pass never reads gets no gradient. In a notebook that is most often a parameters cell
    // that was re-run without the forward-pass cell after it: the function still reads the tensors of the earlier run.
    static void CheckGradients(IReadOnlyList<Tensor> parameters)
    {
        for (int k = 0; k < parameters.Count; k++)
            if (parameters[k].grad is null)
                throw new InvalidOperationException(
                    $"parameter {k} {PyFormat.Shape(parameters[k].shape)} got no gradient: the forward pass does " +
                    "not use it. In a notebook, re-run the forward-pass cell after the parameters cell (a function reads " +
                    "the variables as they were when its cell ran), or take the tensor out of the parameters list.");
            else parameters[k].grad!.Dispose();   // the getter hands out a new handle each time
    }

    /// <summary>
    /// The lecture's training loop stopped with <c>break</c> after its first step, as the chapters look at a net at
    /// init: the first minibatch (drawn from a copy of <paramref name="g"/>, so a training run after this still draws
    /// the same one), the forward pass in training mode, the loss and the backward pass, but no update. What the
    /// forward pass keeps (in a notebook, the cells' <c>hpreact</c>, <c>h</c>...) and the gradients (<c>b1.grad</c>)
    /// stay for the cells after it; the model's buffers (BatchNorm's running statistics) are put back as they were.
    /// </summary>
    public static FirstStepResult FirstStep(IModel model, Tensor Xtr, Tensor Ytr, Generator g, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckParameters(model.Parameters);
        var copy = new Generator(0);
        using (var state = g.get_state()) SetState(copy, state);
        var buffers = model.Buffers;
        var saved = CopyOf(buffers);
        try
        {
            var (_, Xb, Yb) = Minibatch(Xtr, Ytr, copy, batchSize);
            var logits = FirstForward(model, Xb, Yb, Xtr, new TrainingOptions(Label: "first step"));
            var loss = nn.functional.cross_entropy(logits, Yb);
            foreach (var p in model.Parameters) p.grad = null;
            loss.backward();
            return new FirstStepResult(loss.item<float>(), logits.detach(), Xb, Yb);
        }
        finally
        {
            CopyInto(buffers, saved);
            foreach (var t in saved) t.Dispose();
        }
    }

    /// <summary>
    /// <c>g.set_state(state)</c>, checked first: TorchSharp 0.107's native entry point lets libtorch's error on a state
    /// that is not a generator's (not a byte tensor of the right size) end the whole process.
    /// </summary>
    internal static void SetState(Generator g, Tensor state)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(state);
        using var expected = g.get_state();
        if (state.dtype != ScalarType.Byte || !state.shape.SequenceEqual(expected.shape))
            throw new ArgumentException($"a generator's state is a Byte tensor of shape {PyFormat.Shape(expected.shape)} " +
                                        $"(what get_state() returns), not a {state.dtype} tensor of shape {PyFormat.Shape(state.shape)}");
        g.set_state(state);
    }

    /// <summary>The lecture's minibatch construct: <c>ix = randint(0, Xtr.shape[0], (batch,), generator=g)</c>, then
    /// <c>Xtr[ix], Ytr[ix]</c> (as index_select: the same gather, without building a TensorIndex).</summary>
    internal static (Tensor Ix, Tensor Xb, Tensor Yb) Minibatch(Tensor Xtr, Tensor Ytr, Generator g, int batchSize)
    {
        var ix = randint(0, Xtr.shape[0], [batchSize], dtype: ScalarType.Int64, generator: g);
        return (ix, Xtr.index_select(0, ix), Ytr.index_select(0, ix));
    }

    /// <summary>When set, each plain step's phases are timed into it (the benchmark's per-step profile); null otherwise,
    /// and then a step pays a null check per phase.</summary>
    internal static StepProfile? Profile;

    /// <summary>Where a plain step's time and managed allocations go, phase by phase (Stopwatch ticks and bytes
    /// allocated on the training thread, summed over the steps of the runs that had it set).</summary>
    internal sealed class StepProfile
    {
        public enum Phase { Loop, Minibatch, SaveBuffers, Forward, Loss, Item, ZeroGrad, Backward, AfterBackward, Update, Lossi, Ud, Dispose }

        public readonly long[] Ticks = new long[Enum.GetValues<Phase>().Length];
        public readonly long[] Bytes = new long[Enum.GetValues<Phase>().Length];
        public long Steps;
        long lastTicks, lastBytes;

        // The time since the previous mark goes to `phase`, which has just ended. The loop's own work (the printed
        // line, the stop button) is what lies between one step's Dispose and the next step's first mark.
        public void Mark(Phase phase)
        {
            long t = System.Diagnostics.Stopwatch.GetTimestamp(), b = GC.GetAllocatedBytesForCurrentThread();
            if (phase == Phase.Loop && lastTicks == 0) { (lastTicks, lastBytes) = (t, b); return; }
            Ticks[(int)phase] += t - lastTicks;
            Bytes[(int)phase] += b - lastBytes;
            if (phase == Phase.Dispose) Steps++;
            (lastTicks, lastBytes) = (t, b);
        }

        /// <summary>Starts a new run: the gap before its first step is no step's.</summary>
        public void Restart() => lastTicks = 0;
    }

    // ud: log10(std(lr·grad) / std(p)) per parameter, on the tensors as the lecture computes it, with savings that
    // keep every bit: std(lr·grad) is read off the step's update −lr·grad (negating is exact, so the std is the same
    // float), and the division, the log10 and the read-out are done once for all parameters (two stacks, one
    // division, one log10, one copy: IEEE division and libtorch's log10 give each element the bits they give it alone).
    static float[] UpdateRatios(IReadOnlyList<Tensor> parameters, Tensor[] updates)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ratios = stack(updates.Select(u => u.std())).div_(stack(parameters.Select(p => p.std())));
        return ratios.log10_().data<float>().ToArray();
    }
}
