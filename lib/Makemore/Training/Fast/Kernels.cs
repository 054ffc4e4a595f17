using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Makemore.Training;

/// <summary>
/// The handful of float32 loops the fast path needs, written with 256-bit vectors: three matrix products (the
/// forward <c>x @ W</c> and the two products of its backward pass), row-wise sums and products, batch normalisation's
/// two row passes, tanh and its derivative, the SGD update and a standard deviation. Everything
/// is row-major and dense. At the lecture's sizes (batch 32, widths 27 to 200) a whole product is a few microseconds
/// of arithmetic, so what matters is doing it in one call instead of several tensor operations.
/// </summary>
internal static class Kernels
{
    const int W = 8;   // floats per Vector256

    // The three products below are deliberately parallel: each checks its operands against its own shapes (so an error
    // names them) and hands one strided product the layout it needs; `duplicates` lists them as one pair.

    /// <summary>c (m×n) = a (m×k) · b (k×n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        Fits(nameof(MatMul), m, k, n);
        Holds(nameof(MatMul), "a", a.Length, m * k, "m×k");
        Holds(nameof(MatMul), "b", b.Length, k * n, "k×n");
        Holds(nameof(MatMul), "c", c.Length, m * n, "m×n");
        Product(a, rowStride: k, colStride: 1, b, c, m, k, n);
    }

    /// <summary>c (k×n) = aᵀ · b for a (m×k), b (m×n): the weight gradient <c>xᵀ @ dout</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        Fits(nameof(MatMulTransposeA), m, k, n);
        Holds(nameof(MatMulTransposeA), "a", a.Length, m * k, "m×k");
        Holds(nameof(MatMulTransposeA), "b", b.Length, m * n, "m×n");
        Holds(nameof(MatMulTransposeA), "c", c.Length, k * n, "k×n");
        Product(a, rowStride: 1, colStride: k, b, c, k, m, n);
    }

    /// <summary>c (m×k) = a (m×n) · bᵀ for b (k×n): the input gradient <c>dout @ Wᵀ</c>. bᵀ is first written to
    /// <paramref name="scratch"/> (at least n·k floats) so the product reads rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
                                        Span<float> scratch)
    {
        Fits(nameof(MatMulTransposeB), m, k, n);
        Holds(nameof(MatMulTransposeB), "a", a.Length, m * n, "m×n");
        Holds(nameof(MatMulTransposeB), "b", b.Length, k * n, "k×n");
        Holds(nameof(MatMulTransposeB), "c", c.Length, m * k, "m×k");
        Holds(nameof(MatMulTransposeB), "scratch", scratch.Length, n * k, "n·k");
        var bt = scratch[..(n * k)];
        for (int r = 0; r < k; r++)
            for (int j = 0; j < n; j++)
                bt[j * k + r] = b[r * n + j];
        Product(a, rowStride: n, colStride: 1, bt, c, m, n, k);
    }

    // The products index with Unsafe.Add and unchecked vector loads for speed: one check per call that every operand
    // holds what its dimensions say, so a wrong size is an exception instead of memory read or written out of bounds.
    // (No params arrays here: these run inside every step, which allocates nothing.)
    static void Fits(string kernel, int m, int k, int n)
    {
        if (m < 1 || k < 1 || n < 1)
            throw new ArgumentOutOfRangeException(nameof(m), $"{kernel}: m, k, n must be at least 1, not {m}, {k}, {n}");
    }

    static void Holds(string kernel, string name, int length, long needed, string shape)
    {
        if (length < needed) throw new ArgumentException($"{kernel}: {name} holds {length} floats, fewer than its {shape} = {needed}");
    }

    // Elementwise kernels: each operand is at least as long as the loop (indexing is bounds-checked; this says which).
    static void SameLength(string kernel, int length, int other, string name)
    {
        if (other < length) throw new ArgumentException($"{kernel}: {name} holds {other} floats, fewer than the {length} it needs");
    }

    // c (rows×n) = A · b (inner×n), where A[i, p] = a[i*rowStride + p*colStride]. Four rows of c at a time, sixteen
    // (then eight) columns at a time held in registers across the whole inner loop (eight independent sums keep both
    // FMA units busy); the last n % 8 columns in ProductTail.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Product(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c,
                        int rows, int inner, int n)
    {
        ref float A = ref Unsafe.AsRef(in a[0]);
        ref float B = ref Unsafe.AsRef(in b[0]);
        ref float Cm = ref c[0];
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            int j = 0;
            for (; j + 2 * W <= n; j += 2 * W)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
                                 c20 = default, c21 = default, c30 = default, c31 = default;
                for (int p = 0; p < inner; p++)
                {
                    var b0 = Vector256.LoadUnsafe(ref B, (nuint)(p * n + j));
                    var b1 = Vector256.LoadUnsafe(ref B, (nuint)(p * n + j + W));
                    int ap = i * rowStride + p * colStride;
                    var a0 = Vector256.Create(Unsafe.Add(ref A, ap));
                    var a1 = Vector256.Create(Unsafe.Add(ref A, ap + rowStride));
                    var a2 = Vector256.Create(Unsafe.Add(ref A, ap + 2 * rowStride));
                    var a3 = Vector256.Create(Unsafe.Add(ref A, ap + 3 * rowStride));
                    c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
                    c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
                    c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
                    c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
                }
                c00.StoreUnsafe(ref Cm, (nuint)(i * n + j)); c01.StoreUnsafe(ref Cm, (nuint)(i * n + j + W));
                c10.StoreUnsafe(ref Cm, (nuint)((i + 1) * n + j)); c11.StoreUnsafe(ref Cm, (nuint)((i + 1) * n + j + W));
                c20.StoreUnsafe(ref Cm, (nuint)((i + 2) * n + j)); c21.StoreUnsafe(ref Cm, (nuint)((i + 2) * n + j + W));
                c30.StoreUnsafe(ref Cm, (nuint)((i + 3) * n + j)); c31.StoreUnsafe(ref Cm, (nuint)((i + 3) * n + j + W));
            }
            for (; j + W <= n; j += W)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int p = 0; p < inner; p++)
                {
                    var b0 = Vector256.LoadUnsafe(ref B, (nuint)(p * n + j));
                    int ap = i * rowStride + p * colStride;
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap)), b0, c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + rowStride)), b0, c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + 2 * rowStride)), b0, c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + 3 * rowStride)), b0, c3);
                }
                c0.StoreUnsafe(ref Cm, (nuint)(i * n + j)); c1.StoreUnsafe(ref Cm, (nuint)((i + 1) * n + j));
                c2.StoreUnsafe(ref Cm, (nuint)((i + 2) * n + j)); c3.StoreUnsafe(ref Cm, (nuint)((i + 3) * n + j));
            }
        }
        for (; i < rows; i++)
            for (int j = 0; j + W <= n; j += W)
            {
                Vector256<float> acc = default;
                for (int p = 0; p < inner; p++)
                    acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, i * rowStride + p * colStride)),
                                                     Vector256.LoadUnsafe(ref B, (nuint)(p * n + j)), acc);
                acc.StoreUnsafe(ref Cm, (nuint)(i * n + j));
            }
        if (n % W != 0) ProductTail(a, rowStride, colStride, b, c, rows, inner, n);
    }

    // The last n % 8 columns: copied with zeros up to a full vector (a row of b can't be read past its end), one
    // vector of c per row, of which the real columns are kept.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ProductTail(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c,
                            int rows, int inner, int n)
    {
        int j0 = n - n % W, t = n - j0;
        Span<float> bt = inner <= 512 ? stackalloc float[inner * W] : new float[inner * W];
        bt.Clear();
        for (int p = 0; p < inner; p++) b.Slice(p * n + j0, t).CopyTo(bt.Slice(p * W, t));
        ref float A = ref Unsafe.AsRef(in a[0]);
        ref float Bt = ref bt[0];
        int i = 0;
        for (; i + 4 <= rows; i += 4)   // four independent sums keep the FMA units busy
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int p = 0; p < inner; p++)
            {
                var b0 = Vector256.LoadUnsafe(ref Bt, (nuint)(p * W));
                int ap = i * rowStride + p * colStride;
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap)), b0, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + rowStride)), b0, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + 2 * rowStride)), b0, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, ap + 3 * rowStride)), b0, c3);
            }
            Keep(c0, c, i * n + j0, t); Keep(c1, c, (i + 1) * n + j0, t);
            Keep(c2, c, (i + 2) * n + j0, t); Keep(c3, c, (i + 3) * n + j0, t);
        }
        for (; i < rows; i++)
        {
            Vector256<float> acc = default;
            for (int p = 0; p < inner; p++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref A, i * rowStride + p * colStride)),
                                                 Vector256.LoadUnsafe(ref Bt, (nuint)(p * W)), acc);
            Keep(acc, c, i * n + j0, t);
        }
    }

    // The first `count` lanes of v into c at `start`.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Keep(Vector256<float> v, Span<float> c, int start, int count)
    {
        Span<float> lanes = stackalloc float[W];
        v.CopyTo(lanes);
        lanes[..count].CopyTo(c.Slice(start, count));
    }

    /// <summary>y (rows×n) += v (n) on every row: the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRow(Span<float> y, ReadOnlySpan<float> v, int rows, int n)
    {
        SameLength(nameof(AddRow), rows * n, y.Length, "y");
        SameLength(nameof(AddRow), n, v.Length, "v");
        for (int i = 0; i < rows; i++) Add(y.Slice(i * n, n), v);
    }

    /// <summary>s (n) = the sum over the rows of x (rows×n): the bias gradient <c>dout.sum(0)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(ReadOnlySpan<float> x, Span<float> s, int rows, int n)
    {
        SameLength(nameof(SumRows), rows * n, x.Length, "x");
        SameLength(nameof(SumRows), n, s.Length, "s");
        x[..n].CopyTo(s);
        for (int i = 1; i < rows; i++) Add(s[..n], x.Slice(i * n, n));
    }

    /// <summary>y += x, element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(Span<float> y, ReadOnlySpan<float> x)
    {
        SameLength(nameof(Add), y.Length, x.Length, "x");
        int j = 0;
        for (; j + W <= y.Length; j += W)
            (Vector256.Create(y.Slice(j, W)) + Vector256.Create(x.Slice(j, W))).CopyTo(y.Slice(j, W));
        for (; j < y.Length; j++) y[j] += x[j];
    }

    /// <summary>v += (x − m)², element by element: one row's share of a column variance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddSquaredDeviation(Span<float> v, ReadOnlySpan<float> x, ReadOnlySpan<float> m)
    {
        SameLength(nameof(AddSquaredDeviation), v.Length, x.Length, "x");
        SameLength(nameof(AddSquaredDeviation), v.Length, m.Length, "m");
        int j = 0;
        for (; j + W <= v.Length; j += W)
        {
            var c = Vector256.Create(x.Slice(j, W)) - Vector256.Create(m.Slice(j, W));
            (Vector256.Create(v.Slice(j, W)) + c * c).CopyTo(v.Slice(j, W));
        }
        for (; j < v.Length; j++) v[j] += (x[j] - m[j]) * (x[j] - m[j]);
    }

    /// <summary>acc += a·b, element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddProduct(Span<float> acc, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        SameLength(nameof(AddProduct), acc.Length, a.Length, "a");
        SameLength(nameof(AddProduct), acc.Length, b.Length, "b");
        int j = 0;
        for (; j + W <= acc.Length; j += W)
            Vector256.FusedMultiplyAdd(Vector256.Create(a.Slice(j, W)), Vector256.Create(b.Slice(j, W)), Vector256.Create(acc.Slice(j, W)))
                .CopyTo(acc.Slice(j, W));
        for (; j < acc.Length; j++) acc[j] = MathF.FusedMultiplyAdd(a[j], b[j], acc[j]);
    }

    /// <summary>One row of batch normalisation: x̂ = (x − mean)·invStd, y = gain·x̂ + bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
                                 ReadOnlySpan<float> gain, ReadOnlySpan<float> bias, Span<float> xhat, Span<float> y)
    {
        SameLength(nameof(Normalize), x.Length, mean.Length, "mean");
        SameLength(nameof(Normalize), x.Length, invStd.Length, "invStd");
        SameLength(nameof(Normalize), x.Length, gain.Length, "gain");
        SameLength(nameof(Normalize), x.Length, bias.Length, "bias");
        SameLength(nameof(Normalize), x.Length, xhat.Length, "xhat");
        SameLength(nameof(Normalize), x.Length, y.Length, "y");
        int j = 0;
        for (; j + W <= x.Length; j += W)
        {
            var h = (Vector256.Create(x.Slice(j, W)) - Vector256.Create(mean.Slice(j, W))) * Vector256.Create(invStd.Slice(j, W));
            h.CopyTo(xhat.Slice(j, W));
            (Vector256.Create(gain.Slice(j, W)) * h + Vector256.Create(bias.Slice(j, W))).CopyTo(y.Slice(j, W));
        }
        for (; j < x.Length; j++)
        {
            xhat[j] = (x[j] - mean[j]) * invStd[j];
            y[j] = gain[j] * xhat[j] + bias[j];
        }
    }

    /// <summary>One row of batch normalisation's input gradient: dx = k·(dy − m1 − x̂·m2), with k, m1, m2 per column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, ReadOnlySpan<float> k,
                                         ReadOnlySpan<float> m1, ReadOnlySpan<float> m2, Span<float> dx)
    {
        SameLength(nameof(NormalizeBackward), dx.Length, dy.Length, "dy");
        SameLength(nameof(NormalizeBackward), dx.Length, xhat.Length, "xhat");
        SameLength(nameof(NormalizeBackward), dx.Length, k.Length, "k");
        SameLength(nameof(NormalizeBackward), dx.Length, m1.Length, "m1");
        SameLength(nameof(NormalizeBackward), dx.Length, m2.Length, "m2");
        int j = 0;
        for (; j + W <= dx.Length; j += W)
            (Vector256.Create(k.Slice(j, W)) * (Vector256.Create(dy.Slice(j, W)) - Vector256.Create(m1.Slice(j, W))
                - Vector256.Create(xhat.Slice(j, W)) * Vector256.Create(m2.Slice(j, W)))).CopyTo(dx.Slice(j, W));
        for (; j < dx.Length; j++) dx[j] = k[j] * (dy[j] - m1[j] - xhat[j] * m2[j]);
    }

    /// <summary>The unbiased standard deviation of v, in two passes (mean, then squared deviations), summed in
    /// float vectors and combined in double: what <c>torch.std</c> computes, for the update:data ratios.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Std(ReadOnlySpan<float> v)
    {
        Vector256<float> acc = default;
        int j = 0;
        for (; j + W <= v.Length; j += W) acc += Vector256.Create(v.Slice(j, W));
        double sum = Vector256.Sum(acc);
        for (; j < v.Length; j++) sum += v[j];
        float mean = (float)(sum / v.Length);
        var vm = Vector256.Create(mean);
        acc = default;
        for (j = 0; j + W <= v.Length; j += W)
        {
            var c = Vector256.Create(v.Slice(j, W)) - vm;
            acc = Vector256.FusedMultiplyAdd(c, c, acc);
        }
        double ss = Vector256.Sum(acc);
        for (; j < v.Length; j++) ss += (v[j] - mean) * (v[j] - mean);
        return Math.Sqrt(ss / (v.Length - 1));
    }

    /// <summary>y = tanh(x), to a few units in the last place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        SameLength(nameof(Tanh), x.Length, y.Length, "y");
        int j = 0;
        for (; j + W <= x.Length; j += W) Tanh(Vector256.Create(x.Slice(j, W))).CopyTo(y.Slice(j, W));
        if (j < x.Length)
        {
            Span<float> tail = stackalloc float[W];
            tail.Clear();
            x[j..].CopyTo(tail);
            Tanh(Vector256.Create(tail)).CopyTo(tail);
            tail[..(x.Length - j)].CopyTo(y[j..]);
        }
    }

    // tanh|x| = (1 − e)/(1 + e) with e = exp(−2|x|), which never overflows; below |x| = 0.3 that difference loses
    // digits, so there the odd Taylor series up to x⁹ is used instead (its next term is under 1e-7 relative).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static Vector256<float> Tanh(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var e = Vector256.Exp(ax * Vector256.Create(-2f));
        var big = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        var x2 = x * x;
        var poly = Vector256.Create(62f / 2835);
        poly = poly * x2 + Vector256.Create(-17f / 315);
        poly = poly * x2 + Vector256.Create(2f / 15);
        poly = poly * x2 + Vector256.Create(-1f / 3);
        var small = ax + ax * x2 * poly;
        var magnitude = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.3f)), small, big);
        return Vector256.CopySign(magnitude, x);
    }

    /// <summary>dx = (1 − y²) · dy: tanh's backward pass from its output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SameLength(nameof(TanhBackward), y.Length, dy.Length, "dy");
        SameLength(nameof(TanhBackward), y.Length, dx.Length, "dx");
        int j = 0;
        for (; j + W <= y.Length; j += W)
        {
            var v = Vector256.Create(y.Slice(j, W));
            ((Vector256<float>.One - v * v) * Vector256.Create(dy.Slice(j, W))).CopyTo(dx.Slice(j, W));
        }
        for (; j < y.Length; j++) dx[j] = (1 - y[j] * y[j]) * dy[j];
    }
}
