using Makemore.Data;
using Makemore.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Layers;

/// <summary>
/// The lecture's <c>BatchNorm1d</c>. In training: batch mean and <b>unbiased</b> variance over the batch (dim 0),
/// x̂ = (x − mean)/√(var + eps), out = gamma·x̂ + beta, and the running statistics move towards the batch's:
/// running = (1 − momentum)·running + momentum·batch, under no-grad. In evaluation the running statistics replace
/// the batch's. (torch.nn.BatchNorm1d normalises with the <i>biased</i> variance; this one follows the lecture.)
/// </summary>
public sealed class BatchNorm1d : Layer
{
    // The lecture's names, which are also the state_dict keys. Parameters (trained with backprop) and buffers (trained
    // with the running "momentum update"): a Tensor field is registered as a buffer, so save/load carry the running
    // statistics.
    public readonly Parameter gamma;
    public readonly Parameter beta;
    public readonly Tensor running_mean;
    public readonly Tensor running_var;
    // 1 − momentum and momentum as libtorch Scalars, made once: an implicit conversion would make a native Scalar on
    // every step (left to the finalizer), and add_(t) makes an alpha of 1 that the GC can free during the native call.
    readonly Scalar keep, momentum, one = 1.ToScalar();
    // eps as a float32 0-dim tensor: `xvar + eps` then adds the same float (libtorch casts a Scalar eps to float32 too)
    // without wrapping a Scalar into a tensor on every call, which took half the time of the add. Assigned after
    // RegisterComponents, so that it is not registered as a buffer (it is a constant, not state).
    readonly Tensor eps;

    public BatchNorm1d(int dim, double eps = 1e-5, double momentum = 0.1) : base(nameof(BatchNorm1d))
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps cannot be negative");
        if (momentum is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        Dim = dim;
        Eps = eps;
        Momentum = momentum;
        gamma = new Parameter(ones(dim));
        beta = new Parameter(zeros(dim));
        running_mean = zeros(dim);
        running_var = ones(dim);
        (keep, this.momentum) = ((1 - momentum).ToScalar(), momentum.ToScalar());
        RegisterComponents();
        this.eps = tensor((float)eps).DetachFromDisposeScope();
    }

    public int Dim { get; }
    public double Eps { get; }
    public double Momentum { get; }

    public override IReadOnlyList<Parameter> Parameters => [gamma, beta];

    public override IReadOnlyList<Tensor> Buffers => [running_mean, running_var];

    public override Tensor forward(Tensor x)
    {
        // A wrong width fails in the arithmetic below, before the running statistics move; said clearly here, at no
        // cost to a step that works.
        try { return Normalize(x); }
        catch (System.Runtime.InteropServices.ExternalException) when (x.dim() != 2 || x.size(1) != Dim)
        {
            throw new ArgumentException($"BatchNorm1d({Dim}) takes inputs of shape (N, {Dim}), got {PyFormat.Shape(x.shape)}");
        }
    }

    Tensor Normalize(Tensor x)
    {
        Tensor xmean, xvar;
        if (training)
        {
            xmean = x.mean([0], keepdim: true);               // batch mean
            xvar = x.var(0, unbiased: true, keepdim: true);   // batch variance (unbiased, as the lecture)
        }
        else
        {
            xmean = running_mean;
            xvar = running_var;
        }
        var xhat = (x - xmean) / (xvar + eps).sqrt();       // normalise to unit variance
        var output = gamma * xhat + beta;
        if (training)
        {
            // The lecture rebinds running_mean to a new (1, dim) tensor; a registered buffer must be updated in place
            // instead, so the (1, dim) batch statistic is viewed as (dim). Same arithmetic, same rounding:
            // (1-m)*running + m*batch, with the multiply and the add done in place.
            using var _ = no_grad();
            MoveTowards(running_mean, xmean);
            MoveTowards(running_var, xvar);
        }
        return output;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) eps.Dispose();
        base.Dispose(disposing);
    }

    // running = (1 − m)·running + m·batch, in place. The running statistics are small dense tensors, so this is done in
    // their memory, with the roundings of the tensor ops below (each product to float, then the sum; LayerTests holds
    // the two to the bit): four native calls fewer per statistic and step.
    void MoveTowards(Tensor running, Tensor batch)
    {
        if (Floats.TryInPlace(running, out var r) && Floats.TryInPlace(batch, out var b) && b.Length == r.Length)
            Floats.Axpby((float)Momentum, b, (float)(1 - Momentum), r);
        else
            running.mul_(keep).add_(batch.view(Dim) * momentum, one);
    }
}
