using System.Globalization;
using System.Text;
using Makemore.Data;
using Makemore.Training;

namespace Makemore.Part1;

/// <summary>One line of the loss log: our numbers next to the lecture's.</summary>
public sealed record LossLogRow(
    string Stage, float? Step0Loss, float Train, float Val,
    double? LectureStep0Loss, double LectureTrain, double LectureVal);

/// <summary>
/// The lecture's loss log: every part-1 stage trained in turn, each from a fresh generator, with its train/val
/// loss. A row carries the lecture's numbers only for a run <see cref="Part1Reference"/> identifies as the lecture's.
/// The BatchNorm stage is compared with what the lecture's executed notebook printed (running statistics:
/// 2.0674 / 2.1057); the loss log cell itself lists 2.0668 / 2.1048 for it, from an earlier run in the video. A
/// second BatchNorm line shows the same trained net evaluated with the calibration pass's statistics.
/// </summary>
public static class LossLog
{
    /// <summary>Trains every stage for <paramref name="steps"/> steps (one after the other, printing each
    /// stage's training lines to <paramref name="log"/>) and returns the table's rows.</summary>
    public static IReadOnlyList<LossLogRow> Run(Dataset data, int steps, ulong seed = Mlp.Seed,
                                                TextWriter? log = null, IEnumerable<MlpConfig>? stages = null,
                                                CancellationToken cancellation = default, bool fast = false)
    {
        log ??= Console.Out;
        var rows = new List<LossLogRow>();
        foreach (var config in stages ?? MlpConfig.Stages)
        {
            log.WriteLine($"# {config}");
            using var run = StageRun.Train(data, config, steps, seed, log, cancellation, fast);
            log.WriteLine(run.SplitLosses);
            log.WriteLine(Part1Reference.Match(data, run.Training));
            rows.AddRange(Rows(run));
        }
        return rows;
    }

    /// <summary>The rows of one trained stage: the lecture's numbers stand next to ours only where
    /// <see cref="Part1Reference"/> finds that the lecture ran this very model (by its parameters at init and its first
    /// loss, never by its name), the final losses only after the lecture's full schedule. A BatchNorm stage adds the same
    /// net evaluated with the calibration pass's statistics.</summary>
    public static IEnumerable<LossLogRow> Rows(StageRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var row in Rows(Part1Reference.Match(run.Data, run.Training), run.Training, run.TrainLoss, run.ValLoss))
            yield return row with { Stage = run.Config.Name };
        if (!run.Config.UseBatchNorm) yield break;
        var stats = run.Calibrate();
        var (train, val) = run.SplitLossesWith(stats);
        stats.Mean.Dispose();
        stats.Std.Dispose();
        yield return new("  same net, calibrated statistics", null, train, val, null, double.NaN, double.NaN);
    }

    /// <summary>One row for a run: ours, and the lecture's numbers as far as <paramref name="match"/> allows.</summary>
    public static IEnumerable<LossLogRow> Rows(Part1Match match, TrainingResult result, float train, float val)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(result);
        float? step0 = result.Lossi.Count > 0 ? MathF.Pow(10, result.Lossi[0]) : null;
        var lecture = match.Stage is MlpConfig stage ? LectureReference.Part1(stage.Name) : null;
        // The BatchNorm stage's final numbers are its executed notebook's printout (see Format's note).
        var (lectureTrain, lectureVal) = match.Stage == MlpConfig.BatchNorm
            ? LectureReference.Part1BatchNormRunningStatistics
            : (lecture?.Train ?? double.NaN, lecture?.Val ?? double.NaN);
        if (!match.FullRun) (lectureTrain, lectureVal) = (double.NaN, double.NaN);
        yield return new(match.Stage?.Name ?? "yours", step0, train, val, lecture?.Step0Loss, lectureTrain, lectureVal);
    }

    /// <summary>A text table: stage, then ours / lecture's for step 0, train and val (4 decimals).</summary>
    public static string Format(IEnumerable<LossLogRow> rows)
    {
        var list = rows.ToList();
        int width = Math.Max(5, list.Select(r => r.Stage.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        sb.AppendLine($"{"stage".PadRight(width)}  {"step 0",17}  {"train",17}  {"val",17}");
        sb.AppendLine($"{"".PadRight(width)}  {"ours / lecture",17}  {"ours / lecture",17}  {"ours / lecture",17}");
        foreach (var r in list)
            sb.AppendLine($"{r.Stage.PadRight(width)}  {Pair(r.Step0Loss, r.LectureStep0Loss),17}  " +
                          $"{Pair(r.Train, r.LectureTrain),17}  {Pair(r.Val, r.LectureVal),17}");
        if (list.Any(r => r.Stage == MlpConfig.BatchNorm.Name))
        {
            var log = LectureReference.Part1(MlpConfig.BatchNorm.Name);
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"(BatchNorm: the lecture's numbers are its notebook's printout; its loss log cell lists " +
                $"{log.Train:F4} / {log.Val:F4} from an earlier run in the video.)"));
        }
        return sb.ToString();
    }

    static string Pair(float? ours, double? lecture) => $"{Number(ours, 4)} / {Number(lecture, Digits(lecture))}";

    static string Number(double? x, int digits) => x is double v && !double.IsNaN(v)
        ? v.ToString("F" + digits, CultureInfo.InvariantCulture)
        : "—".PadLeft(6);

    // The loss log wrote some values with 2 decimals only (2.07, 2.13): do not show them as 2.0700.
    static int Digits(double? x) => x is double v && Math.Round(v, 2) == v ? 2 : 4;
}
