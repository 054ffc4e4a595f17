using Makemore.Data;
using Makemore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Diagnostics;

/// <summary>
/// The lecture's "calibrate the batch norm at the end of training": pass the whole training set through emb·W1
/// once, without grad, and measure each hidden unit's mean and (unbiased) std. The running estimates kept during
/// training should land close to these, which is why the lecture can drop this extra pass.
/// </summary>
internal static class BatchNormCalibration
{
    public static BatchNormStatistics Calibrate(Mlp model, Tensor Xtr)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var hpreact = model.Preactivation(Xtr);
        var stats = BatchNormLayer.BatchStatistics(hpreact);
        return new BatchNormStatistics(stats.Mean.DetachFromDisposeScope(), stats.Std.DetachFromDisposeScope());
    }

    /// <summary>Calibrated next to running, as plain numbers per hidden unit.</summary>
    internal sealed record Comparison(float[] CalibratedMean, float[] RunningMean, float[] CalibratedStd, float[] RunningStd)
    {
        public float MaxStdDifference => CalibratedStd.Zip(RunningStd, (a, b) => MathF.Abs(a - b)).Max();
    }

    public static Comparison Compare(BatchNormStatistics calibrated, BatchNormStatistics running) =>
        new(Floats.Of(calibrated.Mean), Floats.Of(running.Mean), Floats.Of(calibrated.Std), Floats.Of(running.Std));

}
