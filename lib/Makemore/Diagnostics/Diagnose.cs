using Makemore.Layers;
using Makemore.Text;
using Makemore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Diagnostics;

/// <summary>
/// The lecture's four diagnostics, as plain data (the charts of them: <c>Makemore.Charts.Viz</c>). Viz #1 and #2 read
/// what the layers kept from the last training step (<see cref="Layer.Out"/>, <see cref="Layer.OutGrad"/>); viz #3
/// reads the parameters' gradients from the last backward; viz #4 reads the <c>ud</c> the trainer recorded.
/// </summary>
public static class Diagnose
{
    /// <summary>The layers the lecture inspects: <c>for i, layer in enumerate(layers[:-1]): if isinstance(layer, Tanh)</c>.
    /// With <paramref name="kind"/> null: the Tanh layers, or, in a net without any (the linear case), the Linears.</summary>
    internal static IEnumerable<(int Index, Layer Layer)> Inspected(IReadOnlyList<Layer> layers, string? kind = null)
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

    /// <summary>Viz #4: the recorded log10 update:data ratio of every 2-D parameter, step by step.</summary>
    public static StatsTable<UpdateRatioSeries> UpdateRatios(TrainingResult result, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(parameters);
        if (result.Ud.Count == 0 && result.Steps > 0)
            throw new InvalidOperationException("this run recorded no update ratios: train with RecordUpdateRatios: true");
        return UpdateRatios(parameters, result.Ud);
    }

    /// <summary>Viz #4 from a recorded <paramref name="ud"/> (one value per parameter per step): the series of every 2-D
    /// parameter.</summary>
    public static StatsTable<UpdateRatioSeries> UpdateRatios(IReadOnlyList<Tensor> parameters, IReadOnlyList<float[]> ud)
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
        return new(rows);
    }

    static InvalidOperationException NotKept(int index, Layer layer) => new(
        $"layer {index} ({layer.Kind}) kept no output: train the net first (a Network keeps every layer's output from its last training step)");
}
