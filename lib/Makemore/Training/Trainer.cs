using System.Diagnostics;
using System.Globalization;
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
    public static TrainingResult Train(IModel model, Tensor Xtr, Tensor Ytr, Generator g, TrainingOptions options,
                                       TextWriter? log = null, CancellationToken cancellation = default)
    {
        options.Validate();
        log ??= Console.Out;
        if (cancellation == default) cancellation = Notebook.Kernel.CancellationToken;
        if (options.Fast) return FastTrainer.Train(model, Xtr, Ytr, g, options, log, cancellation);
        var result = new TrainingResult();
        var parameters = model.Parameters;
        var clock = Stopwatch.StartNew();
        var progress = new Notebook.ProgressFile(options.Label);
        // A Scalar for −lr, made once per learning rate rather than once per parameter and step (each is a native
        // object). Same values, same kernels: the numbers are the lecture's to the bit (see TrainerTests).
        double lr = double.NaN;
        Scalar? negLrScalar = null;
        var updates = new Tensor[parameters.Count];
        try
        {
            for (int i = 0; i <= options.LastStep; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (options.LearningRate(i) != lr)
                {
                    negLrScalar?.Dispose();
                    lr = options.LearningRate(i);
                    negLrScalar = (-lr).ToScalar();
                }
                using var scope = NewDisposeScope();
                var (_, Xb, Yb) = Minibatch(Xtr, Ytr, g, options.BatchSize);
                model.BeginStep(i, last: i == options.LastStep);
                // forward pass
                var logits = model.Forward(Xb, training: true);
                var loss = nn.functional.cross_entropy(logits, Yb);
                // A loss that is no longer a number stops training before its gradients reach the parameters, so the
                // model keeps its last good state.
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue)) throw Diverged(options, lossValue, i, lr, result);
                // backward pass
                foreach (var p in parameters) p.grad = null;
                loss.backward();
                model.AfterBackward();
                // update: p.data += -lr * p.grad (the updates are kept for ud)
                using (no_grad())
                    for (int k = 0; k < parameters.Count; k++)
                        parameters[k].add_(updates[k] = parameters[k].grad!.mul(negLrScalar!));

                // track stats
                if (i % options.PrintEvery == 0) Print(log, progress, i, options.MaxSteps, lossValue);
                // log10 on the tensor, as the lecture: MathF.Log10 differs from libtorch's log10 in the last bit
                result.Lossi.Add(loss.log10().item<float>());
                if (options.RecordUpdateRatios)
                    result.Ud.Add(UpdateRatios(parameters, updates));
            }
        }
        finally
        {
            negLrScalar?.Dispose();
            result.Elapsed = clock.Elapsed;
            model.AfterTraining();
        }
        progress.Write(result.ToString());
        return result;
    }

    /// <summary>The lecture's progress line, <c>{i:7d}/{max_steps:7d}: {loss.item():.4f}</c>, to the log and the
    /// progress file.</summary>
    internal static void Print(TextWriter log, Notebook.ProgressFile progress, int step, int maxSteps, float loss)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{step,7}/{maxSteps,7}: {(double)loss:F4}");
        log.WriteLine(line);
        progress.Write(line);
    }

    internal static TrainingDivergedException Diverged(TrainingOptions options, float loss, int step, double lr,
                                                       TrainingResult partial) =>
        new($"{options.Label}: the loss became {loss} at step {step} (lr {lr}); training stopped " +
            "with the parameters of the step before. A learning rate or an init scale that is too large " +
            "usually does this.", partial);

    /// <summary>The lecture's minibatch construct: <c>ix = randint(0, Xtr.shape[0], (batch,), generator=g)</c>, then
    /// <c>Xtr[ix], Ytr[ix]</c> (as index_select: the same gather, without building a TensorIndex).</summary>
    public static (Tensor Ix, Tensor Xb, Tensor Yb) Minibatch(Tensor Xtr, Tensor Ytr, Generator g, int batchSize)
    {
        var ix = randint(0, Xtr.shape[0], [batchSize], dtype: ScalarType.Int64, generator: g);
        return (ix, Xtr.index_select(0, ix), Ytr.index_select(0, ix));
    }

    // ud: log10(std(lr·grad) / std(p)) per parameter, on the tensors as the lecture computes it, with two savings that
    // keep every bit: std(lr·grad) is read off the step's update −lr·grad (negating is exact, so the std is the same
    // float), and the log10 and the read-out are done once for all parameters (one stack, one log10, one copy).
    static float[] UpdateRatios(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, Tensor[] updates)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ratios = stack(parameters.Select((p, k) => updates[k].std() / p.std()));
        return ratios.log10_().data<float>().ToArray();
    }
}
