using System.Runtime.CompilerServices;
using Makemore.Layers;
namespace Makemore.Training;

/// <summary>
/// One layer of the fast path, with its backward pass written out by hand (the lecture's part 4, "becoming a backprop
/// ninja", derives each of these). A layer owns its output and the gradient of the loss with respect to that output,
/// both (batch, width); <see cref="Backward"/> turns the latter into parameter gradients and, when asked, the
/// gradient of its input.
/// </summary>
internal abstract class FastLayer(int batch, int inWidth, int outWidth)
{
    public int Batch { get; } = batch;
    public int InWidth { get; } = inWidth;
    public int OutWidth { get; } = outWidth;
    public float[] Out { get; } = new float[batch * outWidth];
    public float[] OutGrad { get; } = new float[batch * outWidth];

    public abstract void Forward(float[] x);

    /// <summary>Reads <see cref="OutGrad"/>; overwrites the parameter gradients and <paramref name="dx"/> (if not null).</summary>
    public abstract void Backward(float[] x, float[]? dx);

    public virtual IEnumerable<FastParameter> Parameters => [];

    /// <summary>After the loss of the step came out finite: what the forward pass keeps beyond the step (BatchNorm's
    /// running statistics) moves only now, so a step that fails leaves it as it was. Nothing by default.</summary>
    public virtual void Commit() { }
}

/// <summary><c>out = x @ W (+ b)</c>; dW = xᵀ·dout, db = dout.sum(0), dx = dout·Wᵀ.</summary>
internal sealed class FastLinear(int batch, FastParameter weight, FastParameter? bias, int inWidth, int outWidth)
    : FastLayer(batch, inWidth, outWidth)
{
    readonly float[] scratch = new float[inWidth * outWidth];

    public override IEnumerable<FastParameter> Parameters => bias is null ? [weight] : [weight, bias];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float[] x)
    {
        Kernels.MatMul(x, weight.Data, Out, Batch, InWidth, OutWidth);
        if (bias is not null) Kernels.AddRow(Out, bias.Data, Batch, OutWidth);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(float[] x, float[]? dx)
    {
        Kernels.MatMulTransposeA(x, OutGrad, weight.Grad, Batch, InWidth, OutWidth);
        if (bias is not null) Kernels.SumRows(OutGrad, bias.Grad, Batch, OutWidth);
        if (dx is not null) Kernels.MatMulTransposeB(OutGrad, weight.Data, dx, Batch, InWidth, OutWidth, scratch);
    }
}

/// <summary><c>out = tanh(x)</c>; dx = (1 − out²)·dout.</summary>
internal sealed class FastTanh(int batch, int width) : FastLayer(batch, width, width)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float[] x) => Kernels.Tanh(x, Out);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backward(float[] x, float[]? dx)
    {
        if (dx is not null) Kernels.TanhBackward(Out, OutGrad, dx);
    }
}

/// <summary>
/// The lecture's batch normalisation in training mode: per column, the batch mean μ and the <b>unbiased</b> variance
/// v, x̂ = (x − μ)/√(v + eps), out = γ·x̂ + β, and the running statistics moved as <c>running = keep·running +
/// momentum·batch</c>. Part 1 keeps a running std and uses no eps; part 2's BatchNorm1d keeps a running variance.
/// Backward (unbiased variance): dx = γ/σ · (dout − Σdout/n − x̂·Σ(dout·x̂)/(n − 1)).
/// </summary>
internal sealed class FastBatchNorm(int batch, int width, FastParameter gamma, FastParameter beta,
                                  FastBuffer runningMean, FastBuffer runningSpread, bool runningIsStd,
                                  double eps, double keep, double momentum)
    : FastLayer(batch, width, width)
{
    readonly float[] xhat = batch >= 2 ? new float[batch * width]
        : throw new ArgumentOutOfRangeException(nameof(batch), batch, "BatchNorm's unbiased variance needs a batch of at least 2");
    readonly float[] mean = new float[width];
    readonly float[] variance = new float[width];
    readonly float[] invStd = new float[width];
    readonly float[] std = new float[width];
    readonly float[] scale = new float[width], meanDout = new float[width], projection = new float[width];

    public override IEnumerable<FastParameter> Parameters => [gamma, beta];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(float[] x)
    {
        int n = Batch, d = OutWidth;
        Kernels.SumRows(x, mean, n, d);
        for (int j = 0; j < d; j++) mean[j] /= n;
        Array.Clear(variance);
        for (int i = 0; i < n; i++) Kernels.AddSquaredDeviation(variance, x.AsSpan(i * d, d), mean);
        float fEps = (float)eps;
        for (int j = 0; j < d; j++)
        {
            variance[j] /= n - 1;
            std[j] = MathF.Sqrt(variance[j] + fEps);
            invStd[j] = 1 / std[j];
        }
        for (int i = 0; i < n; i++)
            Kernels.Normalize(x.AsSpan(i * d, d), mean, invStd, gamma.Data, beta.Data, xhat.AsSpan(i * d, d), Out.AsSpan(i * d, d));
    }

    /// <summary>running = keep·running + momentum·batch, with this step's batch mean and variance (or std).</summary>
    public override void Commit()
    {
        float fKeep = (float)keep, fMomentum = (float)momentum;
        for (int j = 0; j < OutWidth; j++)
        {
            runningMean.Data[j] = runningMean.Data[j] * fKeep + mean[j] * fMomentum;
            runningSpread.Data[j] = runningSpread.Data[j] * fKeep + (runningIsStd ? std[j] : variance[j]) * fMomentum;
        }
    }

    public override void Backward(float[] x, float[]? dx)
    {
        int n = Batch, d = OutWidth;
        var dgamma = gamma.Grad;
        Kernels.SumRows(OutGrad, beta.Grad, n, d);                      // dβ = Σ dout
        Array.Clear(dgamma);
        for (int i = 0; i < n; i++) Kernels.AddProduct(dgamma, OutGrad.AsSpan(i * d, d), xhat.AsSpan(i * d, d));   // dγ = Σ dout·x̂
        if (dx is null) return;
        for (int j = 0; j < d; j++)
        {
            scale[j] = gamma.Data[j] * invStd[j];
            meanDout[j] = beta.Grad[j] / n;
            projection[j] = dgamma[j] / (n - 1);
        }
        for (int i = 0; i < n; i++)
            Kernels.NormalizeBackward(OutGrad.AsSpan(i * d, d), xhat.AsSpan(i * d, d), scale, meanDout, projection, dx.AsSpan(i * d, d));
    }
}
