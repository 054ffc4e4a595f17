using System.Collections.Frozen;
using Makemore.Data;
using Makemore.Layers;
using Makemore.Models;
using Makemore.Training;
namespace Makemore.Reference;

/// <summary>
/// What the lecture printed in part 2, for comparison only (never used in a computation). Two sources:
/// <list type="bullet">
/// <item><b>Published</b>: the outputs stored in the lecture's notebook (makemore_part3_bn.ipynb), which ends in the
/// state of the video's last run: the deep net with BatchNorm, gain 1.0, stopped after step 1000 (1001 updates). Its
/// cells 15, 16 and 17 print viz #1, #2 and #3 as text, cell 19 the split losses; it also keeps 20 sampled names.</item>
/// <item><b>Video</b>: the tables the video shows for the other settings (the notebook only keeps its last run), as
/// reproduced by a public re-execution of the lecture's code in PyTorch.</item>
/// </list>
/// <see cref="Runs"/> says which run each table belongs to, so that a notebook compares a run with the lecture's only
/// when it is the same run (<see cref="Find"/>).
/// Tables after 1000 steps agree with ours to the printed digits except the last printed digits (less than one unit of the 6th significant digit) of some
/// <c>%e</c> numbers, or the sign of a mean that prints as ±0.000000: the BLAS sums in a different order, and float32
/// rounding drifts by an ulp over 1000 steps.
/// </summary>
public static class LectureRuns
{
    internal const long ParameterCountWithoutBatchNorm = 46497;
    internal const long ParameterCountWithBatchNorm = 47024;

    /// <summary>Published: the deep BatchNorm net's first printed loss (the same for any gain: BatchNorm cancels it).</summary>
    internal const string StepZeroWithBatchNorm = "      0/ 200000: 3.2870";

    /// <summary>Video: the first printed loss without BatchNorm, by gain (tanh net), and of the linear net at 0.5.</summary>
    internal const string StepZeroGain5Over3 = "      0/ 200000: 3.2962",
                        StepZeroGain1 = "      0/ 200000: 3.2988",
                        StepZeroGain05 = "      0/ 200000: 3.2960",
                        StepZeroLinearGain05 = "      0/ 200000: 3.2959";

    // ---- Published: BatchNorm, gain 1.0, after 1001 updates -----------------------------------------------------

    /// <summary>Published viz #1 (the stored notebook's cell 15; also quoted identically by several public notes on the
    /// lecture).</summary>
    internal static readonly string[] BatchNormActivations =
    [
        "layer 2 (      Tanh): mean -0.00, std 0.63, saturated: 2.78%",
        "layer 5 (      Tanh): mean +0.00, std 0.64, saturated: 2.56%",
        "layer 8 (      Tanh): mean -0.00, std 0.65, saturated: 2.25%",
        "layer 11 (      Tanh): mean +0.00, std 0.65, saturated: 1.69%",
        "layer 14 (      Tanh): mean +0.00, std 0.65, saturated: 1.88%",
    ];

    /// <summary>Published: <c>split_loss('train')</c> and <c>split_loss('val')</c> in eval mode after the 1001 steps
    /// (the stored notebook's cell 19).</summary>
    internal const string BatchNormTrainLoss = "train 2.4002976417541504", BatchNormValLoss = "val 2.3982467651367188";

    /// <summary>Published: the 20 names sampled (generator 2147483647 + 10) from that net.</summary>
    internal static readonly string[] BatchNormSamples =
    [
        "carpah.", "qarlileif.", "jmrix.", "thty.", "sacansa.", "jazhnte.", "dpn.", "arciigqeiunellaia.", "chriiv.", "kalein.",
        "dhlm.", "join.", "qhinn.", "sroin.", "arian.", "quiqaelogiearyxix.", "kaeklinsan.", "ed.", "ecoia.", "gtleley.",
    ];

    /// <summary>Published viz #2 (the stored notebook's cell 16): the gradient at each Tanh's output.</summary>
    internal static readonly string[] BatchNormGradients =
    [
        "layer 2 (      Tanh): mean -0.000000, std 2.640702e-03",
        "layer 5 (      Tanh): mean +0.000000, std 2.245584e-03",
        "layer 8 (      Tanh): mean -0.000000, std 2.045742e-03",
        "layer 11 (      Tanh): mean +0.000000, std 1.983134e-03",
        "layer 14 (      Tanh): mean -0.000000, std 1.952382e-03",
    ];

    /// <summary>Published viz #3 (the stored notebook's cell 17): every 2-D parameter's gradient.</summary>
    internal static readonly string[] BatchNormWeightGradients =
    [
        "weight   (27, 10) | mean +0.000000 | std 8.020534e-03 | grad:data ratio 8.012630e-03",
        "weight  (30, 100) | mean +0.000246 | std 9.241077e-03 | grad:data ratio 4.881091e-02",
        "weight (100, 100) | mean +0.000113 | std 7.132879e-03 | grad:data ratio 6.964619e-02",
        "weight (100, 100) | mean -0.000086 | std 6.234305e-03 | grad:data ratio 6.073741e-02",
        "weight (100, 100) | mean +0.000052 | std 5.742187e-03 | grad:data ratio 5.631483e-02",
        "weight (100, 100) | mean +0.000032 | std 5.672205e-03 | grad:data ratio 5.570125e-02",
        "weight  (100, 27) | mean -0.000082 | std 1.209416e-02 | grad:data ratio 1.160106e-01",
    ];

    // ---- Video: no BatchNorm, at init (the loop breaks after the first step) --------------------------------------

    /// <summary>Viz #1, gain 5/3 at init: layer 1 saturates most, the deeper ones settle.</summary>
    internal static readonly string[] Gain5Over3ActivationsAtInit =
    [
        "layer 1 (      Tanh): mean -0.02, std 0.75, saturated: 20.25%",
        "layer 3 (      Tanh): mean -0.00, std 0.69, saturated: 8.38%",
        "layer 5 (      Tanh): mean +0.00, std 0.67, saturated: 6.62%",
        "layer 7 (      Tanh): mean -0.01, std 0.66, saturated: 5.47%",
        "layer 9 (      Tanh): mean -0.02, std 0.66, saturated: 6.12%",
    ];

    /// <summary>Viz #2, gain 5/3 at init: about the same spread in every layer.</summary>
    internal static readonly string[] Gain5Over3GradientsAtInit =
    [
        "layer 1 (      Tanh): mean +0.000010, std 4.205588e-04",
        "layer 3 (      Tanh): mean -0.000003, std 3.991179e-04",
        "layer 5 (      Tanh): mean +0.000003, std 3.743020e-04",
        "layer 7 (      Tanh): mean +0.000015, std 3.290473e-04",
        "layer 9 (      Tanh): mean -0.000014, std 3.054035e-04",
    ];

    /// <summary>Viz #1, gain 1 at init: every tanh squeezes, the std shrinks layer by layer.</summary>
    internal static readonly string[] Gain1ActivationsAtInit =
    [
        "layer 1 (      Tanh): mean -0.02, std 0.62, saturated: 3.50%",
        "layer 3 (      Tanh): mean -0.00, std 0.48, saturated: 0.03%",
        "layer 5 (      Tanh): mean +0.00, std 0.41, saturated: 0.06%",
        "layer 7 (      Tanh): mean +0.00, std 0.35, saturated: 0.00%",
        "layer 9 (      Tanh): mean -0.02, std 0.32, saturated: 0.00%",
    ];

    /// <summary>Viz #2, gain 0.5 at init: the gradients shrink towards the input.</summary>
    internal static readonly string[] Gain05GradientsAtInit =
    [
        "layer 1 (      Tanh): mean +0.000000, std 1.892402e-05",
        "layer 3 (      Tanh): mean -0.000001, std 3.943546e-05",
        "layer 5 (      Tanh): mean +0.000004, std 8.035369e-05",
        "layer 7 (      Tanh): mean +0.000009, std 1.561152e-04",
        "layer 9 (      Tanh): mean -0.000014, std 3.053498e-04",
    ];

    // ---- Video: the fully linear net (no tanh), gain 0.5, at init -------------------------------------------------

    internal static readonly string[] LinearGain05ActivationsAtInit =
    [
        "layer 0 (    Linear): mean -0.01, std 0.49, saturated: 5.06%",
        "layer 1 (    Linear): mean -0.00, std 0.25, saturated: 0.00%",
        "layer 2 (    Linear): mean -0.00, std 0.13, saturated: 0.00%",
        "layer 3 (    Linear): mean +0.00, std 0.06, saturated: 0.00%",
        "layer 4 (    Linear): mean -0.00, std 0.03, saturated: 0.00%",
    ];

    internal static readonly string[] LinearGain05GradientsAtInit =
    [
        "layer 0 (    Linear): mean +0.000000, std 1.990759e-05",
        "layer 1 (    Linear): mean -0.000001, std 3.997084e-05",
        "layer 2 (    Linear): mean +0.000004, std 8.058026e-05",
        "layer 3 (    Linear): mean +0.000009, std 1.562154e-04",
        "layer 4 (    Linear): mean -0.000014, std 3.053490e-04",
    ];

    // ---- Video: no BatchNorm, gain 5/3, after 1001 updates (viz #3 and #4's run) ----------------------------------

    internal static readonly string[] Gain5Over3Activations1000 =
    [
        "layer 1 (      Tanh): mean -0.04, std 0.76, saturated: 21.97%",
        "layer 3 (      Tanh): mean -0.01, std 0.72, saturated: 11.00%",
        "layer 5 (      Tanh): mean +0.01, std 0.73, saturated: 13.00%",
        "layer 7 (      Tanh): mean -0.05, std 0.73, saturated: 13.34%",
        "layer 9 (      Tanh): mean +0.00, std 0.72, saturated: 10.53%",
    ];

    internal static readonly string[] Gain5Over3Gradients1000 =
    [
        "layer 1 (      Tanh): mean +0.000024, std 3.353992e-03",
        "layer 3 (      Tanh): mean +0.000012, std 3.157344e-03",
        "layer 5 (      Tanh): mean -0.000004, std 2.925863e-03",
        "layer 7 (      Tanh): mean +0.000036, std 2.715700e-03",
        "layer 9 (      Tanh): mean +0.000020, std 2.308167e-03",
    ];

    internal static readonly string[] Gain5Over3WeightGradients1000 =
    [
        "weight   (27, 10) | mean +0.000980 | std 1.189171e-02 | grad:data ratio 1.189149e-02",
        "weight  (30, 100) | mean +0.000118 | std 1.005291e-02 | grad:data ratio 3.214556e-02",
        "weight (100, 100) | mean +0.000033 | std 7.821212e-03 | grad:data ratio 4.653362e-02",
        "weight (100, 100) | mean -0.000107 | std 6.655620e-03 | grad:data ratio 3.925851e-02",
        "weight (100, 100) | mean -0.000017 | std 6.086041e-03 | grad:data ratio 3.605768e-02",
        "weight (100, 100) | mean -0.000077 | std 5.075620e-03 | grad:data ratio 3.015269e-02",
        "weight  (100, 27) | mean -0.000000 | std 2.056585e-02 | grad:data ratio 2.909910e-01",
    ];

    // ---- Which run each table belongs to ---------------------------------------------------------------------------

    /// <summary>The lecture's runs that printed numbers, with the net each one built (from the generator seeded
    /// 2147483647), how many steps it took before its <c>break</c>, and its tables.</summary>
    internal static readonly IReadOnlyList<LectureRun> Runs =
    [
        Run("gain 5/3 at init", new NetworkOptions(), 1, new()
        {
            [LectureTable.StepZero] = [StepZeroGain5Over3],
            [LectureTable.Activations] = Gain5Over3ActivationsAtInit,
            [LectureTable.Gradients] = Gain5Over3GradientsAtInit,
        }),
        Run("gain 1 at init", new NetworkOptions(Gain: 1), 1, new()
        {
            [LectureTable.StepZero] = [StepZeroGain1],
            [LectureTable.Activations] = Gain1ActivationsAtInit,
        }),
        Run("gain 3 at init", new NetworkOptions(Gain: 3), 1, new()),
        Run("gain 0.5 at init", new NetworkOptions(Gain: 0.5), 1, new()
        {
            [LectureTable.StepZero] = [StepZeroGain05],
            [LectureTable.Gradients] = Gain05GradientsAtInit,
        }),
        Run("the linear net, gain 0.5, at init", new NetworkOptions(Gain: 0.5, Tanh: false), 1, new()
        {
            [LectureTable.StepZero] = [StepZeroLinearGain05],
            [LectureTable.Activations] = LinearGain05ActivationsAtInit,
            [LectureTable.Gradients] = LinearGain05GradientsAtInit,
        }),
        Run("gain 5/3 after 1001 steps", new NetworkOptions(), 1001, new()
        {
            [LectureTable.StepZero] = [StepZeroGain5Over3],
            [LectureTable.Activations] = Gain5Over3Activations1000,
            [LectureTable.Gradients] = Gain5Over3Gradients1000,
            [LectureTable.WeightGradients] = Gain5Over3WeightGradients1000,
        }),
        Run("BatchNorm, gain 1, after 1001 steps", new NetworkOptions(BatchNorm: true, Gain: 1), 1001, new()
        {
            [LectureTable.StepZero] = [StepZeroWithBatchNorm],
            [LectureTable.Activations] = BatchNormActivations,
            [LectureTable.Gradients] = BatchNormGradients,
            [LectureTable.WeightGradients] = BatchNormWeightGradients,
            [LectureTable.SplitLosses] = [BatchNormTrainLoss, BatchNormValLoss],
            [LectureTable.Samples] = BatchNormSamples,
        }),
    ];

    // A run's tables as written above, kept read-only: callers read the lecture's numbers, never change them.
    static LectureRun Run(string name, NetworkOptions net, int steps, Dictionary<LectureTable, string[]> tables) =>
        new(name, net, steps, tables.ToFrozenDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)Array.AsReadOnly(kv.Value)));

    /// <summary>What the lecture ran, in one line (for the note when a run is none of them).</summary>
    internal const string RunsSummary =
        "at init gains 5/3, 1, 3 and 0.5 (tanh) and 0.5 (the linear net); for 1001 steps gain 5/3, and BatchNorm with gain 1";

    /// <summary>The lecture's run that <paramref name="result"/> of <paramref name="model"/> is, decided from what
    /// actually ran: the same layers (kinds and sizes) and initial parameters bit for bit as the lecture's net built by
    /// <see cref="Network.Create"/>, the same number of steps, batch 32 and lr 0.1 at every step. Null when it is none
    /// of them.</summary>
    public static LectureRun? Find(IModel model, TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(result);
        return Runs.FirstOrDefault(run => run.Steps == result.Steps && run.SameStart(model, result) && LectureSchedule(result));
    }

    /// <summary>The lecture's runs that started from the same net as <paramref name="result"/>, whatever their length.</summary>
    internal static IReadOnlyList<LectureRun> SameStart(IModel model, TrainingResult result) =>
        [.. Runs.Where(run => run.SameStart(model, result))];

    static bool LectureSchedule(TrainingResult result) =>
        result.Options is { BatchSize: 32 } options &&
        Enumerable.Range(0, result.Steps).All(i => options.LearningRate(i) == 0.1);
}

/// <summary>The tables a notebook compares with the lecture's.</summary>
public enum LectureTable { StepZero, Activations, Gradients, WeightGradients, SplitLosses, Samples }

/// <summary>One of the lecture's runs: the net it built, how many steps it took, and what it printed.</summary>
public sealed record LectureRun(string Name, NetworkOptions Net, int Steps, IReadOnlyDictionary<LectureTable, IReadOnlyList<string>> Tables)
{

    // The lecture's net, built once: its layers (what each is, its sizes) and its parameters before the first step.
    readonly Lazy<(string[] Layers, IReadOnlyList<ParameterSnapshot> Initial)> reference = new(() =>
    {
        var net = Network.Create(new TorchSharp.torch.Generator(LectureSettings.Seed), Net);
        try { return ([.. net.Layers.Select(Describe)], [.. net.Parameters.Select(ParameterSnapshot.Of)]); }
        finally { net.Dispose(); }
    });

    /// <summary>Whether <paramref name="model"/> is this run's net (the same layers, in order, with the same sizes) and
    /// <paramref name="result"/> started from its parameters, bit for bit. Tanh has no parameters, so the parameters
    /// alone cannot tell the tanh net from the linear one: the layers can.</summary>
    internal bool SameStart(IModel model, TrainingResult result)
    {
        IReadOnlyList<Layer>? layers = (model as Network)?.Layers;
        var (expectedLayers, initial) = reference.Value;
        return layers is not null && layers.Select(Describe).SequenceEqual(expectedLayers) &&
               result.Initial.Count == initial.Count && result.Initial.Zip(initial).All(p => p.First.SameAs(p.Second));
    }

    // A layer as what it computes: its exact type and the settings that change its output.
    static string Describe(Layer layer) => layer switch
    {
        Linear l => $"{typeof(Linear).FullName}({l.FanIn}, {l.FanOut}, bias {l.bias is not null})",
        Layers.BatchNorm1d bn => $"{typeof(Layers.BatchNorm1d).FullName}({bn.Dim}, eps {bn.Eps}, momentum {bn.Momentum})",
        _ => layer.GetType().AssemblyQualifiedName!,
    };
}
