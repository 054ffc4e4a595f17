using Makemore.Diagnostics;
using Makemore.Layers;
using Makemore.Text;
using Plotly.NET;
using static TorchSharp.torch;

namespace Makemore.Charts;

/// <summary>
/// The notebooks' diagnostic loops, for the chapters after the one that writes them. Notebook 08 writes viz #1 and #2
/// in its cells (<see cref="ActivationStats{T}"/>, <see cref="GradientStats{T}"/>), notebook 10 viz #3 and #4
/// (<see cref="WeightStats"/>, <see cref="UpdateRatioStats"/>). Notebooks 09, 10 and 11 call these copies instead of
/// pasting the loops: the same signatures, the same printed lines and the same charts, built from
/// <see cref="Diagnose"/>'s tables. NotebookExecutionTests.TheVizLoopsOf08And10PrintWhatTheLibrarysCopiesPrint runs
/// the cells and holds them equal.
/// </summary>
public static class Viz
{
    /// <summary>Notebook 08's viz #1 loop: for each layer of kind <typeparamref name="T"/> but the output layer, the line
    /// <c>'layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%'</c>, and the histogram of its output.</summary>
    public static (List<string> Lines, GenericChart Chart) ActivationStats<T>(IReadOnlyList<Layer> layers, string title) where T : Layer
    {
        var rows = Diagnose.ForwardActivations(layers, typeof(T).Name);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.Activations(rows, title));
    }

    /// <summary>Notebook 08's viz #2 loop: <c>'layer %d (%10s): mean %+f, std %e'</c> of the gradient at each of those
    /// outputs, and its histogram.</summary>
    public static (List<string> Lines, GenericChart Chart) GradientStats<T>(IReadOnlyList<Layer> layers, string title) where T : Layer
    {
        var rows = Diagnose.BackwardGradients(layers, typeof(T).Name);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.Gradients(rows, title));
    }

    /// <summary>Notebook 10's viz #3 loop: for every 2-D parameter,
    /// <c>'weight %10s | mean %+f | std %e | grad:data ratio %e'</c>, and the histogram of its gradient.</summary>
    public static (List<string> Lines, GenericChart Chart) WeightStats(IReadOnlyList<Tensor> parameters, string title)
    {
        var rows = Diagnose.WeightGradients(parameters);
        return ([.. rows.Select(r => r.ToString())], DiagnosticCharts.WeightGradients(rows, title));
    }

    /// <summary>Notebook 10's viz #4 loop: for every 2-D parameter, where its log10 update:data ratio (<paramref name="ud"/>,
    /// recorded by the training loop) settles over the last 100 steps, and its line over the steps with the −3 guide.</summary>
    public static (List<string> Lines, GenericChart Chart) UpdateRatioStats(IReadOnlyList<Tensor> parameters, List<float[]> ud, string title)
    {
        var rows = Diagnose.UpdateRatios(parameters, ud);
        // the mean as the cell takes it, float32 values averaged by LINQ, printed by Python's %.2f
        return ([.. rows.Select(r => PyFormat.Format("param %d %10s: log10(update/data) settles at %.2f over the last 100 steps",
                                                     r.Index, r.Shape, r.Log10Ratios.TakeLast(100).Average()))],
                DiagnosticCharts.UpdateRatios(rows, title));
    }
}
