using Makemore.Data;
using Makemore.Diagnostics;
using Makemore.Text;
using Plotly.NET;
using TorchSharp;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Makemore.Charts;

/// <summary>
/// The pictures of part 1 (the two-layer MLP from the starter code to BatchNorm). Every builder takes plain data
/// (arrays, not tensors) and builds a fresh chart.
/// </summary>
public static class Part1Charts
{
    /// <summary>
    /// <c>plt.plot(lossi)</c>: log10 of each step's minibatch loss, and its average over windows of
    /// <paramref name="window"/> steps (the lecture's later <c>view(-1, 1000).mean(1)</c>), which shows the trend
    /// through the minibatch noise. At most <paramref name="maxPoints"/> per-step points are drawn (every k-th
    /// step) to keep the notebook small; the averages use every step.
    /// </summary>
    public static GenericChart LossCurve(IReadOnlyList<float> lossi, string title = "training loss",
                                         int window = 1000, int maxPoints = 20_000)
    {
        ArgumentNullException.ThrowIfNull(lossi);
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "window must be at least 1");
        int stride = Math.Max(1, (lossi.Count + maxPoints - 1) / Math.Max(1, maxPoints));
        var steps = Enumerable.Range(0, (lossi.Count + stride - 1) / stride).Select(i => i * stride).ToArray();
        var raw = Chart.Line<int, float, string>(steps, steps.Select(i => lossi[i]),
            Name: stride == 1 ? "every step" : $"every {stride}th step", Opacity: 0.35, LineWidth: 1);

        var (centers, means) = WindowMeans(lossi, window);
        var averaged = Chart.Line<double, double, string>(centers, means,
            Name: $"mean of {window} steps", LineWidth: 3);

        return Chart.Combine([raw, averaged])
            .WithAxisTitles("step", "log10(loss)")
            .Titled(title)
            .Sized();
    }

    /// <summary>The mean of each full window of <paramref name="window"/> values, placed at the window's middle
    /// step. A last, incomplete window is dropped (as <c>view(-1, window)</c> would refuse it).</summary>
    internal static (double[] Steps, double[] Means) WindowMeans(IReadOnlyList<float> values, int window)
    {
        int n = values.Count / window;
        var steps = new double[n];
        var means = new double[n];
        for (int k = 0; k < n; k++)
        {
            double sum = 0;
            for (int i = k * window; i < (k + 1) * window; i++) sum += values[i];
            means[k] = sum / window;
            steps[k] = k * window + (window - 1) / 2.0;
        }
        return (steps, means);
    }

    /// <summary><c>plt.hist(values, bins)</c>: e.g. h or hpreact over one batch.</summary>
    public static GenericChart Histogram(float[] values, string title, string xTitle, int bins = 50)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Chart.Histogram<float, float, string>(X: values, NBinsX: bins, Name: xTitle)
            .WithAxisTitles(xTitle, "count")
            .Titled(title)
            .Sized(height: 360);
    }

    /// <summary><c>plt.hist(t.view(-1).tolist(), bins)</c>: every element of a tensor, e.g. h or hpreact.</summary>
    public static GenericChart Histogram(torch.Tensor values, string title, string xTitle, int bins = 50) =>
        Histogram(Floats.Of(values), title, xTitle, bins);

    /// <summary>
    /// <c>plt.imshow(h.abs() &gt; 0.99, cmap='gray')</c> for a 2-D tensor of booleans (rows: examples, columns:
    /// neurons), white where true: which neurons of a batch are saturated, or dead (<c>t == 0</c> after a ReLU).
    /// </summary>
    public static GenericChart Imshow(torch.Tensor saturated, string title = "|h| > 0.99 (white: saturated)")
    {
        ArgumentNullException.ThrowIfNull(saturated);
        if (saturated.dim() != 2) throw new ArgumentException($"the image needs a 2-D tensor, not shape {PyFormat.Shape(saturated.shape)}", nameof(saturated));
        int rows = (int)saturated.shape[0], cols = (int)saturated.shape[1];
        var flat = Floats.Of(saturated);
        var mask = new bool[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) mask[i, j] = flat[i * cols + j] != 0;
        return Imshow(mask, title);
    }

    /// <summary>
    /// <c>plt.imshow(h.abs() &gt; 0.99, cmap='gray')</c>: one row per example, one column per neuron, white where
    /// the tanh is saturated. A column that is white all the way down is a neuron this batch cannot train.
    /// </summary>
    public static GenericChart Imshow(bool[,] saturated, string title = "|h| > 0.99 (white: saturated)")
    {
        ArgumentNullException.ThrowIfNull(saturated);
        int rows = saturated.GetLength(0), cols = saturated.GetLength(1);
        int[] white = [255, 255, 255], black = [0, 0, 0];
        var z = Enumerable.Range(0, rows)
            .Select(i => Enumerable.Range(0, cols).Select(j => saturated[i, j] ? white : black).ToArray())
            .ToArray();
        // An image keeps square pixels, like imshow: 200 neurons across, 32 examples down.
        return Chart.Image<string>(Z: z, Name: "saturated")
            .WithAxisTitles("neuron", "example")
            .Titled(title)
            .Sized(1000, 300);
    }

    /// <summary>One example's logits, a bar per character: at init they should all be near 0.</summary>
    public static GenericChart Logits(IReadOnlyList<float> logits, IReadOnlyList<string> labels,
                                      string title = "logits of the first example at init")
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Count != labels.Count)
            throw new ArgumentException($"{logits.Count} logits but {labels.Count} labels", nameof(labels));
        return Chart.Column<float, string, string>(logits, Keys: labels.ToArray(), Name: "logit")
            .WithAxisTitles("next character", "logit")
            .Titled(title)
            .Sized(height: 360);
    }

    /// <summary>One example's logits (a 1-D tensor, e.g. <c>logits[0]</c>), labelled with the vocabulary's characters.</summary>
    public static GenericChart Logits(torch.Tensor logits, Vocabulary vocab,
                                      string title = "logits of the first example at init") =>
        Logits(Floats.Of(logits), vocab, title);

    /// <summary>The Kaiming demo's histograms, from the tensors x and y.</summary>
    public static GenericChart ScaleDemo(torch.Tensor x, torch.Tensor y, string title, int bins = 50) =>
        ScaleDemo(Floats.Of(x), Floats.Of(y), title, bins);

    /// <summary>Calibrated against running BatchNorm statistics, from the (1, n_hidden) tensors.</summary>
    public static GenericChart RunningVsCalibrated(torch.Tensor calibrated, torch.Tensor running, string what) =>
        RunningVsCalibrated(Floats.Of(calibrated), Floats.Of(running), what);

    /// <summary>One example's logits, labelled with the vocabulary's characters.</summary>
    public static GenericChart Logits(float[] logits, Vocabulary vocab,
                                      string title = "logits of the first example at init") =>
        Logits(logits, Enumerable.Range(0, vocab.Size).Select(i => vocab.Itos[i].ToString()).ToArray(), title);

    /// <summary>tanh(x) and its local gradient 1 − tanh²(x): where the output is near ±1 the gradient vanishes.</summary>
    public static GenericChart TanhAndGradient(float[] x, float[] tanh, float[] gradient)
    {
        var t = Chart.Line<float, float, string>(x, tanh, Name: "tanh(x)");
        var g = Chart.Line<float, float, string>(x, gradient, Name: "1 − tanh(x)²  (local gradient)");
        return Chart.Combine([t, g])
            .WithAxisTitles("x", "")
            .Titled("tanh squashes, and its gradient vanishes in the tails")
            .Sized(height: 360);
    }

    /// <summary>
    /// The Kaiming demo's two histograms side by side (density, 50 bins, as <c>plt.hist(…, 50, density=True)</c>):
    /// x = randn and y = x @ w. The bins are counted here and drawn as bars, so the 200000 values of y do not
    /// have to travel into the notebook.
    /// </summary>
    public static GenericChart ScaleDemo(float[] x, float[] y, string title, int bins = 50)
    {
        GenericChart Bars(float[] values, string name)
        {
            var hist = Diagnostics.Histogram.OfValues(values, bins);
            return Chart.Column<double, double, string>(hist.Density, Keys: hist.Centres, Name: name,
                                                        Width: hist.Edges[1] - hist.Edges[0]);
        }
        return Chart.Grid([Bars(x, "x"), Bars(y, "y = x @ w")], 1, 2, SubPlotTitles: new[] { "x", "y = x @ w" })
            .Titled(title)
            .Sized(1000, 360);
    }

    /// <summary>Calibrated (whole training set) against running (estimated during training) BatchNorm statistics,
    /// one point per hidden unit, with the diagonal where they would be equal.</summary>
    public static GenericChart RunningVsCalibrated(float[] calibrated, float[] running, string what)
    {
        ArgumentNullException.ThrowIfNull(calibrated);
        ArgumentNullException.ThrowIfNull(running);
        float lo = calibrated.Concat(running).Min(), hi = calibrated.Concat(running).Max();
        var points = Chart.Point<float, float, string>(calibrated, running, Name: "hidden unit");
        var diagonal = Chart.Line<float, float, string>([lo, hi], [lo, hi], Name: "equal", LineDash: StyleParam.DrawingStyle.Dash);
        return Chart.Combine([points, diagonal])
            .WithAxisTitles($"{what}, calibration pass", $"{what}, running estimate")
            .Titled($"BatchNorm {what}: running estimate vs calibration pass")
            .Sized(600, 500);
    }
}
