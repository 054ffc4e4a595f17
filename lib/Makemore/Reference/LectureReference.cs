namespace Makemore.Reference;

/// <summary>
/// The numbers the lecture published, kept apart from everything that computes: only comparison tables and tests
/// read them. Nothing in the library derives a result from these values.
/// </summary>
/// <remarks>
/// Sources:
/// <list type="bullet">
/// <item>The lecture's notebook, karpathy/nn-zero-to-hero, <c>lectures/makemore/makemore_part3_bn.ipynb</c>
/// (commit 48e222cd120b14d79cdfc67541e3ced4ad2e8204): its markdown cell "## loss log" (train/val of every part-1
/// stage), and the executed cells of the BatchNorm stage (the training printout and <c>split_loss</c>). The notebook
/// keeps only the last stage's run; the other stages were run in the video.</item>
/// <item>The video (youtu.be/P6sfmUTpUmc): the step-0 losses of the earlier stages, printed on screen when each
/// stage's training loop is stopped after its first step.</item>
/// </list>
/// </remarks>
internal static class LectureReference
{
    /// <summary>One part-1 stage as the lecture reports it. Train/val are the loss log's numbers (some rounded
    /// by hand to 2 decimals there); <see cref="Step0Loss"/> is the first line the training loop printed.</summary>
    internal sealed record Part1Stage(string Name, double Train, double Val, double? Step0Loss, string Source);

    /// <summary>The notebook's "## loss log" cell, in its order, with each stage's printed step-0 loss.</summary>
    public static IReadOnlyList<Part1Stage> Part1LossLog { get; } =
    [
        new("original", 2.1245384216308594, 2.168196439743042, 27.8817,
            "loss log cell; step 0 from the video"),
        new("fix softmax confidently wrong", 2.07, 2.13, 3.3221,
            "loss log cell (rounded there to 2 decimals); step 0 from the video"),
        new("fix tanh layer too saturated at init", 2.0355966091156006, 2.1026785373687744, 3.3135,
            "loss log cell; step 0 from the video"),
        new("use semi-principled \"kaiming init\"", 2.0376641750335693, 2.106989622116089, 3.3179,
            "loss log cell; step 0 from the video"),
        new("add batch norm layer", 2.0668270587921143, 2.104844808578491, 3.3239,
            "loss log cell (a run in the video; the notebook's executed cells print 2.0674 / 2.1057, see below); " +
            "step 0 from the notebook's training cell"),
    ];

    /// <summary>The stage of the loss log with this name (the names of <c>MlpConfig</c>'s presets).</summary>
    public static Part1Stage Part1(string name) =>
        Part1LossLog.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"the lecture's loss log has no stage '{name}' " +
                                          $"(it has: {string.Join("; ", Part1LossLog.Select(s => s.Name))})");

    /// <summary>The BatchNorm stage's <c>split_loss</c> output in the executed notebook, evaluated with the running
    /// statistics: <c>train 2.0674145221710205</c>, <c>val 2.1056840419769287</c>.</summary>
    public static (double Train, double Val) Part1BatchNormRunningStatistics { get; } = (2.0674145221710205, 2.1056840419769287);

    /// <summary>The BatchNorm stage's training printout in the executed notebook (every 10000 steps).</summary>
    public static IReadOnlyList<string> Part1BatchNormTrainingLog { get; } =
    [
        "      0/ 200000: 3.3239",
        "  10000/ 200000: 2.0322",
        "  20000/ 200000: 2.5675",
        "  30000/ 200000: 2.0125",
        "  40000/ 200000: 2.2446",
        "  50000/ 200000: 1.8897",
        "  60000/ 200000: 2.0785",
        "  70000/ 200000: 2.3681",
        "  80000/ 200000: 2.2918",
        "  90000/ 200000: 2.0238",
        " 100000/ 200000: 2.3673",
        " 110000/ 200000: 2.3132",
        " 120000/ 200000: 1.6414",
        " 130000/ 200000: 1.9311",
        " 140000/ 200000: 2.2231",
        " 150000/ 200000: 2.0027",
        " 160000/ 200000: 2.0997",
        " 170000/ 200000: 2.4949",
        " 180000/ 200000: 2.0199",
        " 190000/ 200000: 2.1707",
    ];
}
