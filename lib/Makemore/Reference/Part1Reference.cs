using System.Globalization;
using Makemore.Data;
using Makemore.Models;
using Makemore.Text;
using Makemore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Reference;

/// <summary>What a comparison with the lecture found: the lecture's stage this run is (or null), whether it ran the
/// lecture's whole schedule, and one line that says so or says why there is no reference.</summary>
internal sealed record Part1Match(MlpConfig? Stage, bool FullRun, string Verdict)
{
    /// <summary>What the run is in a few words: the stage's name, or, when it is not the lecture's, what differs
    /// ("W1 × 0.1", "another forward pass"): the loss log's "yours: W1 × 0.1".</summary>
    public string Init { get; init; } = Stage?.Name ?? "";

    public override string ToString() => Verdict;
}

/// <summary>
/// Which of the lecture's part-1 runs a training run is, told from what actually ran rather than from a name: the
/// parameters before the first update (<see cref="TrainingResult.Initial"/>) must be a lecture stage's bit for bit
/// (the same seed, draws and scales), and the first loss must be that stage's (the same forward pass). Only then do
/// the lecture's numbers stand next to ours; the final losses only after the lecture's 200000 steps and schedule.
/// Anything else gets one line saying what differs ("no lecture reference for W1 × 0.1: the lecture ran W1 × 0.2").
/// </summary>
internal static class Part1Reference
{
    /// <summary>The lecture's part-1 run: 200000 steps, batch 32, lr 0.1 then 0.01 from step 100000.</summary>
    internal static TrainingOptions LectureOptions { get; } = new(MaxSteps: LectureSettings.MaxSteps, LearningRateDecayStep: LectureSettings.Part1DecayStep);

    internal static Part1Match Match(Dataset data, TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(result);
        var init = result.Initial;
        foreach (var stage in MlpConfig.Stages)
        {
            var (oracleInit, oracleFirstLoss) = Oracle(data, stage);
            if (init.Count != oracleInit.Count || !init.Zip(oracleInit).All(p => p.First.SameAs(p.Second))) continue;
            string name = Quoted(stage);
            if (result.Lossi.Count == 0) return new(null, false, $"no lecture reference: the run took no step") { Init = "no step taken" };
            // The fast path rounds in another order: its first loss agrees to float precision only.
            bool sameFirstLoss = result.Fast ? MathF.Abs(result.Lossi[0] - oracleFirstLoss) <= 1e-5f
                                             : BitConverter.SingleToInt32Bits(result.Lossi[0]) == BitConverter.SingleToInt32Bits(oracleFirstLoss);
            if (!sameFirstLoss)
                return new(null, false,
                    $"no lecture reference: the parameters at init are the lecture's {name}, but the forward pass is not " +
                    $"(the first loss is {Loss(result.Lossi[0])}; the lecture's is {Loss(oracleFirstLoss)})")
                { Init = "the lecture's init, another forward pass" };
            // The schedule: the library's loop says it in its options; a loop written in a cell shows it in its updates.
            string? otherSchedule = result.Options is TrainingOptions o
                ? Schedule(o) == Schedule(LectureOptions) ? null : "another schedule"
                : OtherUpdate(result);
            bool full = otherSchedule is null && result.Steps == LectureOptions.MaxSteps;
            if (!full && otherSchedule is not null && result.Options is null)
                return new(stage, false, $"the lecture's {name} at init (the same parameters, bit for bit, and the same first " +
                                         $"loss); no lecture reference for the losses after it: {otherSchedule}");
            return full
                ? new(stage, true, $"the lecture's {name}: the same parameters at init (bit for bit), the same first loss, " +
                                   $"the same {LectureOptions.MaxSteps} steps")
                : new(stage, false, $"the lecture's {name} at init (the same parameters, bit for bit, and the same first " +
                                    $"loss); no lecture reference for the losses after {result.Steps} steps: the lecture " +
                                    $"trained {LectureOptions.MaxSteps}");
        }
        var (what, verdict) = Describe(init);
        return new(null, false, verdict) { Init = what };
    }

    // A loop written in a cell: null when every sampled update was the lecture's p.data += -lr * p.grad with its lr for
    // that step (0.1, then 0.01 from step 100000), else the first step where it was not.
    static string? OtherUpdate(TrainingResult result)
    {
        if (result.Updates.Count == 0) return "the loop's updates were not recorded";
        var other = result.Updates.FirstOrDefault(u => !u.Applied(LectureOptions.LearningRate(u.Step)));
        return other is null ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"the update at step {other.Step} is not the lecture's p.data += -lr * p.grad with lr {LectureOptions.LearningRate(other.Step)}");
    }

    // What decides the losses after the first step (the label and the fast switch do not).
    static (int, int, int, double?, int?) Schedule(TrainingOptions o) =>
        (o.MaxSteps, o.LearningRateDecayStep, o.BatchSize, o.ConstantLearningRate, o.StopAfter);

    // A stage as the lecture draws it, and the log10 of its first loss as the training loop records it.
    static (IReadOnlyList<ParameterSnapshot> Init, float FirstLoss) Oracle(Dataset data, MlpConfig stage)
    {
        var (model, g) = Mlp.Create(stage, data.Vocab.Size, data.BlockSize);
        using var _ = model;
        using var scope = NewDisposeScope();
        var init = model.Parameters.Select(ParameterSnapshot.Of).ToList();
        float loss = Trainer.FirstStep(model, data.Xtr, data.Ytr, g).Loss;
        return (init, tensor(loss).log10().item<float>());
    }

    // ---- no stage matched: say what differs from the nearest one ------------------------------------------------

    static readonly string[] Plain = ["C", "W1", "b1", "W2", "b2"], WithBatchNorm = ["C", "W1", "W2", "b2", "bngain", "bnbias"];

    // (what differs in a few words, the line that says it)
    static (string What, string Verdict) Describe(IReadOnlyList<ParameterSnapshot> init)
    {
        bool batchNorm = init.Count == 6;
        string[]? names = init.Count switch { 5 => Plain, 6 => WithBatchNorm, _ => null };
        if (names is null)
            return ($"{init.Count} parameter tensors", $"no lecture reference for a parameters list of {init.Count} tensors: the lecture's are [{string.Join(", ", Plain)}] " +
                   $"or, with BatchNorm, [{string.Join(", ", WithBatchNorm)}]");

        // The lecture's shapes, and its raw draws (randn from the seeded generator, in order, before any scale).
        var lecture = new Mlp(batchNorm ? MlpConfig.BatchNorm : MlpConfig.Starter, 27, 3, new Generator(LectureSettings.Seed));
        using var _ = lecture;
        var shapes = lecture.Parameters.Select(p => p.shape).ToList();
        var wrong = Enumerable.Range(0, names.Length).Where(k => !init[k].Shape.SequenceEqual(shapes[k]))
            .Select(k => $"{names[k]} {Shape(init[k].Shape)}").ToList();
        if (wrong.Count > 0)
            return (string.Join(", ", wrong), $"no lecture reference for {string.Join(", ", wrong)}: the lecture's shapes are " +
                   string.Join(", ", names.Select((n, k) => $"{n} {Shape(shapes[k])}")));

        var scales = new Dictionary<string, double>();
        var g = new Generator(LectureSettings.Seed);
        for (int k = 0; k < names.Length; k++)
        {
            if (names[k] is "bngain" or "bnbias")
            {
                float expected = names[k] == "bngain" ? 1 : 0;
                if (init[k].Values.Any(v => v != expected))
                    return ($"{names[k]} not {(expected == 1 ? "ones" : "zeros")}",
                            $"no lecture reference: {names[k]} does not start at {(expected == 1 ? "ones" : "zeros")} as the lecture's does");
                continue;
            }
            float[] raw;
            using (var drawn = randn(init[k].Shape, generator: g)) raw = drawn.data<float>().ToArray();
            if (ScaleOf(init[k].Values, raw) is not double scale)
                return ($"{names[k]} another draw", $"no lecture reference: {names[k]} is not the lecture's draw times a number (another seed, " +
                       "another draw order or another distribution)");
            scales[names[k]] = scale;
        }

        var candidates = MlpConfig.Stages.Where(s => s.UseBatchNorm == batchNorm).ToList();
        var best = candidates.Select(s => (Stage: s, Diffs: Differences(scales, s)))
            .OrderBy(c => c.Diffs.Count).ThenBy(c => c.Diffs.Sum(d => Math.Abs(Math.Log(Math.Abs(d.Ours) + 1e-12) - Math.Log(Math.Abs(d.Lecture) + 1e-12))))
            .ThenByDescending(c => candidates.IndexOf(c.Stage)).First();
        if (best.Diffs.Count == 0)
            return ("the lecture's scales, rounded another way",
                    $"no lecture reference: the parameters equal the lecture's {Quoted(best.Stage)} up to rounding but not bit " +
                   "for bit (the same scales, computed in another order: the lecture writes the Kaiming scale as " +
                   "`* (5/3) / (n_embd * block_size)**0.5`, two roundings)");
        string ours = string.Join(", ", best.Diffs.Select(d => $"{d.Name} × {Number(d.Ours)}"));
        return (ours, $"no lecture reference for {ours}: " +
               $"the lecture ran {string.Join(", ", best.Diffs.Select(d => $"{d.Name} × {Number(d.Lecture)}"))} " +
               $"(its {Quoted(best.Stage)})");
    }

    static List<(string Name, double Ours, double Lecture)> Differences(Dictionary<string, double> scales, MlpConfig stage)
    {
        var lecture = new Dictionary<string, double>
        {
            ["C"] = 1, ["W1"] = stage.W1.Value, ["W2"] = stage.W2.Value, ["b2"] = stage.B2.Value,
        };
        if (stage.B1 is InitScale b1) lecture["b1"] = b1.Value;
        return scales.Where(s => !Close(s.Value, lecture[s.Key])).Select(s => (s.Key, s.Value, lecture[s.Key])).ToList();
    }

    // ours = scale · raw for every element (to float rounding), or null when it is not a scaled copy.
    static double? ScaleOf(float[] ours, float[] raw)
    {
        int at = 0;
        for (int j = 1; j < raw.Length; j++) if (Math.Abs(raw[j]) > Math.Abs(raw[at])) at = j;
        if (raw.Length == 0 || raw[at] == 0) return null;
        double scale = (double)ours[at] / raw[at];
        for (int j = 0; j < raw.Length; j++)
            if (Math.Abs(ours[j] - scale * raw[j]) > 1e-5 * Math.Abs(scale * raw[j]) + 1e-30) return null;
        return scale;
    }

    static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(Math.Abs(a), Math.Abs(b));

    static string Loss(float log10) => MathF.Pow(10, log10).ToString("F4", CultureInfo.InvariantCulture);

    static string Number(double x) => x == 0 ? "0" : x.ToString("G4", CultureInfo.InvariantCulture);

    static string Shape(long[] shape) => PyFormat.Shape(shape);

    static string Quoted(MlpConfig stage) => $"stage '{stage.Name}'";
}
