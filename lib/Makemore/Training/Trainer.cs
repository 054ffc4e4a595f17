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
        var result = new TrainingResult();
        var parameters = model.Parameters;
        var clock = Stopwatch.StartNew();
        var progress = new Notebook.ProgressFile(options.Label);
        long n = Xtr.shape[0];
        int lastStep = Math.Min(options.MaxSteps - 1, options.StopAfter ?? int.MaxValue);
        try
        {
            for (int i = 0; i <= lastStep; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                // minibatch construct
                var ix = randint(0, n, [options.BatchSize], dtype: ScalarType.Int64, generator: g);
                var (Xb, Yb) = (Xtr[ix], Ytr[ix]);
                // forward pass
                var logits = model.Forward(Xb, training: true);
                var loss = nn.functional.cross_entropy(logits, Yb);
                // backward pass
                foreach (var p in parameters) p.grad = null;
                loss.backward();
                model.AfterBackward();
                // update
                double lr = options.LearningRate(i);
                using (no_grad())
                    foreach (var p in parameters) p.add_(p.grad! * -lr);

                // track stats
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new TrainingDivergedException(
                        $"{options.Label}: the loss became {lossValue} at step {i} (lr {lr}); training stopped. " +
                        "A learning rate or an init scale that is too large usually does this.", result);
                if (i % options.PrintEvery == 0)
                {
                    string line = string.Create(CultureInfo.InvariantCulture, $"{i,7}/{options.MaxSteps,7}: {(double)lossValue:F4}");
                    log.WriteLine(line);
                    progress.Write(line);
                }
                result.Lossi.Add(loss.log10().item<float>());   // log10 in float32 on the tensor, as the lecture
                if (options.RecordUpdateRatios)
                    using (no_grad())
                        result.Ud.Add(parameters.Select(p => ((p.grad! * lr).std() / p.std()).log10().item<float>()).ToArray());
            }
        }
        finally
        {
            result.Elapsed = clock.Elapsed;
            model.AfterTraining();
        }
        progress.Write(result.ToString());
        return result;
    }
}
