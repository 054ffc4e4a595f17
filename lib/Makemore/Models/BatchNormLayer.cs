using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>
/// Part 1's own BatchNorm, exactly as the lecture writes it inline: normalise each hidden unit over the batch with
/// the batch mean and the <b>unbiased</b> std (<c>hpreact.std(0)</c>), no eps, then scale and shift by the trained
/// bngain/bnbias. On the side it keeps running estimates of the mean and std (a slow 0.999/0.001 exponential
/// average, updated without grad) so the trained net can later run on a single example.
/// </summary>
internal sealed class BatchNormLayer : nn.Module
{
    /// <summary>How much of each batch's statistic goes into the running estimate, and how much of the old
    /// estimate stays (the lecture's literals, kept as written).</summary>
    public const double Momentum = 0.001, Keep = 0.999;

    // Field names are the lecture's names (and the state_dict keys). Shapes (1, n_hidden), as in the lecture.
    public readonly Parameter bngain;
    public readonly Parameter bnbias;
    public readonly Tensor bnmean_running;
    public readonly Tensor bnstd_running;
    // The literals as libtorch Scalars, made once (see Layers.BatchNorm1d: no native Scalar per step, and an alpha of 1
    // that the GC cannot free during add_'s native call).
    readonly Scalar keep = Keep.ToScalar(), momentum = Momentum.ToScalar(), one = 1.ToScalar();

    public BatchNormLayer(int nHidden) : base(nameof(BatchNormLayer))
    {
        bngain = new Parameter(ones(1, nHidden));
        bnbias = new Parameter(zeros(1, nHidden));
        bnmean_running = zeros(1, nHidden);
        bnstd_running = ones(1, nHidden);
        foreach (var t in new[] { bngain, bnbias, bnmean_running, bnstd_running }) t.DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>Training: normalise with this batch's statistics and update the running ones. Evaluation: normalise
    /// with the running statistics, or with <paramref name="statistics"/> when given (e.g. a calibration pass).</summary>
    public Tensor Forward(Tensor hpreact, bool training, BatchNormStatistics? statistics = null)
    {
        if (!training)
        {
            var (mean, std) = statistics is null ? (bnmean_running, bnstd_running) : (statistics.Mean, statistics.Std);
            return bngain * (hpreact - mean) / std + bnbias;
        }
        var bnmeani = hpreact.mean([0], keepdim: true);
        var bnstdi = hpreact.std(0, unbiased: true, keepdim: true);
        var normalized = bngain * (hpreact - bnmeani) / bnstdi + bnbias;
        using (no_grad())
        {
            // running = 0.999 * running + 0.001 * batch, in place: the buffers are registered tensors.
            bnmean_running.mul_(keep).add_(bnmeani * momentum, one);
            bnstd_running.mul_(keep).add_(bnstdi * momentum, one);
        }
        return normalized;
    }

    /// <summary>The statistics a training step normalises with: the batch mean and unbiased std over dim 0.</summary>
    public static BatchNormStatistics BatchStatistics(Tensor hpreact) =>
        new(hpreact.mean([0], keepdim: true), hpreact.std(0, unbiased: true, keepdim: true));

    /// <summary>The running estimates, as a pair.</summary>
    public BatchNormStatistics Running => new(bnmean_running, bnstd_running);
}

/// <summary>A mean and a std per hidden unit, shape (1, n_hidden).</summary>
internal sealed record BatchNormStatistics(Tensor Mean, Tensor Std);
