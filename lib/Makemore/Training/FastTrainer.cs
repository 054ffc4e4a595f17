using System.Buffers;
using Makemore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>
/// <see cref="Trainer"/>'s loop on a <see cref="FastNet"/>: the minibatch indices still come from the shared
/// generator (one <c>randint</c> per step, so the generator ends where the plain loop leaves it), everything else runs
/// on float arrays. The model's tensors get the trained values back when the loop ends, however it ends.
/// </summary>
static class FastTrainer
{
    public static TrainingResult Train(FastNet net, IModel model, Tensor Xtr, Tensor Ytr, Generator g, TrainingOptions options,
                                       IReadOnlyList<ParameterSnapshot> initial, TextWriter log, CancellationToken cancellation)
    {
        int blockSize = (int)Xtr.shape[1], batch = options.BatchSize;
        // The split's indices as plain arrays, borrowed from the shared pool: a run of a few steps then leaves no
        // large garbage behind (the memory soak in a notebook calls this thousands of times).
        long[] xtr = Borrow(Xtr), ytr = Borrow(Ytr);
        long[] ix = new long[batch];
        int[] xb = new int[batch * blockSize], yb = new int[batch];

        var result = new TrainingResult { Fast = true, Options = options, Initial = initial };
        try
        {
            net.CheckSplit(xtr.AsSpan(0, (int)Xtr.numel()), ytr.AsSpan(0, (int)Ytr.numel()), Xtr.shape, Ytr.shape);
        }
        catch
        {
            // refused before the first step: nothing was trained, nothing goes back into the model
            ArrayPool<long>.Shared.Return(xtr);
            ArrayPool<long>.Shared.Return(ytr);
            throw;
        }
        return Trainer.Loop(options, result, log, cancellation, i =>
        {
            double lr = options.LearningRate(i);
            // minibatch construct
            using (var drawn = randint(0, Xtr.shape[0], [batch], dtype: ScalarType.Int64, generator: g))
            using (var values = drawn.data<long>())
                values.CopyTo(ix, 0, 0);
            for (int k = 0; k < batch; k++)
            {
                for (int t = 0; t < blockSize; t++) xb[k * blockSize + t] = (int)xtr[ix[k] * blockSize + t];
                yb[k] = (int)ytr[ix[k]];
            }
            // forward pass
            float loss = net.Forward(xb, yb);
            if (!float.IsFinite(loss)) throw Trainer.Diverged(options, loss, i, lr, result);
            net.Commit();
            // backward pass, update
            net.Backward(xb);
            net.Update(lr);
            // track stats
            result.Lossi.Add(MathF.Log10(loss));
            if (options.RecordUpdateRatios) result.Ud.Add(UpdateRatios(net.Parameters, lr));
            return loss;
        }, () =>
        {
            ArrayPool<long>.Shared.Return(xtr);
            ArrayPool<long>.Shared.Return(ytr);
            net.WriteBack();
            model.AfterTraining();
        });
    }

    static long[] Borrow(Tensor indices)
    {
        int count = checked((int)indices.numel());
        var array = ArrayPool<long>.Shared.Rent(count);
        using var values = indices.data<long>();
        values.CopyTo(array.AsSpan(0, count), 0, 0);
        return array;
    }

    // ud: log10(std(lr·grad) / std(p)) per parameter (std(lr·grad) = lr·std(grad)).
    static float[] UpdateRatios(IReadOnlyList<FastParameter> parameters, double lr)
    {
        var ud = new float[parameters.Count];
        for (int k = 0; k < ud.Length; k++)
            ud[k] = (float)Math.Log10(lr * Kernels.Std(parameters[k].Grad) / Kernels.Std(parameters[k].Data));
        return ud;
    }
}
