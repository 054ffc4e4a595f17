using Makemore.Charts;
using Makemore.Layers;
using Makemore.Training;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Makemore.Diagnostics;

/// <summary>
/// The lecture's four diagnostics, as plain data. Viz #1 and #2 read what the layers kept from the last training step
/// (switch <c>RetainOutputs</c> on before training); viz #3 reads the parameters' gradients from the last backward;
/// viz #4 reads the <c>ud</c> the trainer recorded.
/// </summary>
public static class Viz
{
    /// <summary>The layers the lecture inspects: <c>for i, layer in enumerate(layers[:-1]): if isinstance(layer, Tanh)</c>.
    /// With <paramref name="kind"/> null: the Tanh layers, or, in a net without any (the linear case), the Linears.</summary>
    public static IEnumerable<(int Index, Layer Layer)> Inspected(IReadOnlyList<Layer> layers, string? kind = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        kind ??= layers.Any(l => l is Tanh) ? nameof(Tanh) : nameof(Linear);
        return layers.Take(layers.Count - 1)           // note: exclude the output layer
            .Select((layer, i) => (i, layer))
            .Where(x => x.layer.Kind == kind);
    }

    /// <summary>Viz #1: mean, std, saturation (|t| &gt; 0.97) and histogram of each inspected layer's output.</summary>
    public static StatsTable<LayerActivationStats> ForwardActivations(IReadOnlyList<Layer> layers, string? kind = null) =>
        new([.. Inspected(layers, kind).Select(x =>
        {
            var t = x.Layer.Out ?? throw NotKept(x.Index, x.Layer);
            return new LayerActivationStats(x.Index, x.Layer.Kind, TensorStats.Mean(t), TensorStats.Std(t),
                                            TensorStats.PercentAbove(t, 0.97), Histogram.Of(t));
        })]);

    /// <summary>Viz #2: mean, std and histogram of the gradient at each inspected layer's output.</summary>
    public static StatsTable<LayerGradientStats> BackwardGradients(IReadOnlyList<Layer> layers, string? kind = null) =>
        new([.. Inspected(layers, kind).Select(x =>
        {
            var t = x.Layer.OutGrad ?? throw NotKept(x.Index, x.Layer);
            return new LayerGradientStats(x.Index, x.Layer.Kind, TensorStats.Mean(t), TensorStats.Std(t), Histogram.Of(t));
        })]);

    /// <summary>Viz #3: for every 2-D parameter (C and the weights, not biases, gammas or betas): the gradient's mean,
    /// std, histogram, and grad.std()/param.std().</summary>
    public static StatsTable<WeightGradientStats> WeightGradients(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var rows = new List<WeightGradientStats>();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.dim() != 2) continue;
            using var t = p.grad ?? throw new InvalidOperationException(
                $"parameter {i} {PyFormat.Shape(p.shape)} has no gradient: run at least one training step first");
            using var _ = no_grad();
            rows.Add(new WeightGradientStats(i, p.shape, TensorStats.Mean(t), TensorStats.Std(t),
                                             TensorStats.StdRatio(t, p), Histogram.Of(t)));
        }
        return new(rows);
    }

    /// <summary>Viz #1 on a part-2 net.</summary>
    public static StatsTable<LayerActivationStats> ForwardActivations(Part2.DeepNet net, string? kind = null) =>
        ForwardActivations(net.Layers, kind);

    /// <summary>Viz #2 on a part-2 net.</summary>
    public static StatsTable<LayerGradientStats> BackwardGradients(Part2.DeepNet net, string? kind = null) =>
        BackwardGradients(net.Layers, kind);

    /// <summary>Viz #3 on a part-2 net.</summary>
    public static StatsTable<WeightGradientStats> WeightGradients(Part2.DeepNet net) => WeightGradients(net.Parameters);

    /// <summary>Viz #4 of a part-2 run.</summary>
    public static StatsTable<UpdateRatioSeries> UpdateRatios(Part2.Part2Run run) => UpdateRatios(run.Result, run.Net.Parameters);

    /// <summary>Viz #4: the recorded log10 update:data ratio of every 2-D parameter, step by step.</summary>
    public static StatsTable<UpdateRatioSeries> UpdateRatios(TrainingResult result, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(parameters);
        if (result.Ud.Count == 0 && result.Steps > 0)
            throw new InvalidOperationException("this run recorded no update ratios: train with RecordUpdateRatios: true");
        var rows = new List<UpdateRatioSeries>();
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].dim() == 2)
                rows.Add(new UpdateRatioSeries(i, parameters[i].shape, [.. result.Ud.Select(step => step[i])]));
        return new(rows);
    }

    // ---- The notebooks' loops, for the chapters after the one that writes them ------------------------------------
    // Notebook 08 writes viz #1 and #2 in its cells (ActivationStats<T>, GradientStats<T>), notebook 10 viz #3 and #4
    // (WeightStats, UpdateRatioStats). Notebooks 09, 10 and 11 call these copies instead of pasting the loops: the same
    // signatures, the same printed lines and the same charts, built from the tables above.
    // NotebookExecutionTests.TheVizLoopsOf08And10PrintWhatTheLibrarysCopiesPrint runs the cells and holds them equal.

    /// <summary>Notebook 08's viz #1 loop: for each layer of kind <typeparamref name="T"/> but the output layer, the line
    /// <c>'layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%'</c>, and the histogram of its output.</summary>
    public static (List<string> Lines, GenericChart Chart) ActivationStats<T>(IReadOnlyList<Layer> layers, string title) where T : Layer
    {
        var rows = ForwardActivations(layers, typeof(T).Name);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.Activations(rows, title));
    }

    /// <summary>Notebook 08's viz #2 loop: <c>'layer %d (%10s): mean %+f, std %e'</c> of the gradient at each of those
    /// outputs, and its histogram.</summary>
    public static (List<string> Lines, GenericChart Chart) GradientStats<T>(IReadOnlyList<Layer> layers, string title) where T : Layer
    {
        var rows = BackwardGradients(layers, typeof(T).Name);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.Gradients(rows, title));
    }

    /// <summary>Notebook 10's viz #3 loop: for every 2-D parameter,
    /// <c>'weight %10s | mean %+f | std %e | grad:data ratio %e'</c>, and the histogram of its gradient.</summary>
    public static (List<string> Lines, GenericChart Chart) WeightStats(IReadOnlyList<Tensor> parameters, string title)
    {
        var rows = WeightGradients(parameters);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.WeightGradients(rows, title));
    }

    /// <summary>Notebook 10's viz #4 loop: for every 2-D parameter, where its log10 update:data ratio (<paramref name="ud"/>,
    /// recorded by the training loop) settles over the last 100 steps, and its line over the steps with the −3 guide.</summary>
    public static (List<string> Lines, GenericChart Chart) UpdateRatioStats(IReadOnlyList<Tensor> parameters, List<float[]> ud, string title)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(ud);
        if (ud.FirstOrDefault(step => step.Length != parameters.Count) is { } wrong)
            throw new ArgumentException($"ud has {wrong.Length} values per step but there are {parameters.Count} parameters: " +
                                        "pass the parameters of the model whose run recorded it", nameof(ud));
        var rows = new List<UpdateRatioSeries>();
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].dim() == 2)
                rows.Add(new UpdateRatioSeries(i, parameters[i].shape, [.. ud.Select(step => step[i])]));
        // the mean as the cell takes it, float32 values averaged by LINQ, printed by Python's %.2f
        return ([.. rows.Select(r => PyFormat.Format("param %d %10s: log10(update/data) settles at %.2f over the last 100 steps",
                                                     r.Index, r.Shape, r.Log10Ratios.TakeLast(100).Average()))],
                DiagnosticCharts.UpdateRatios(rows, title));
    }

    static InvalidOperationException NotKept(int index, Layer layer) => new(
        $"layer {index} ({layer.Kind}) kept no output: set RetainOutputs = true on the net before training");
}
