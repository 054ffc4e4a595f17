using System.Globalization;
using System.Text;
using Makemore.Models;
using Makemore.Training;

namespace Makemore.Reference;

/// <summary>One line of the loss log: our numbers next to the lecture's. <see cref="Run"/> says where the numbers
/// come from (notebook 06: "03", the notebook whose record it is, or "no record from 03: trained here") and
/// <see cref="Steps"/> how long that run trained; both null in a notebook's own comparison.</summary>
public sealed record LossLogRow(
    string Stage, float? Step0Loss, float Train, float Val,
    double? LectureStep0Loss, double LectureTrain, double LectureVal, string? Run = null, int? Steps = null);

/// <summary>
/// The lecture's loss log: every part-1 stage with its train/val loss. A row carries the lecture's numbers only for a
/// run <see cref="Part1Reference"/> identifies as the lecture's. The BatchNorm stage is compared with what the
/// lecture's executed notebook printed (running statistics: 2.0674 / 2.1057); the loss log cell itself lists
/// 2.0668 / 2.1048 for it, from an earlier run in the video.
/// </summary>
public static class LossLog
{
    /// <summary>The row of a run that notebooks 01–05 recorded (<see cref="RunRecord"/>): the lecture's numbers where
    /// the run is the lecture's, "yours: W1 × 0.1" and no lecture numbers where it is not.</summary>
    public static LossLogRow Row(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stage = record.Stage is null ? null
            : MlpConfig.Stages.FirstOrDefault(s => s.Name == record.Stage)
              ?? throw new InvalidDataException($"the record of {record.Notebook} names a stage the lecture does not have: '{record.Stage}'");
        return Row(stage, record.FullRun, record.Step0Loss, record.Train, record.Val)
               with { Stage = record.What, Run = record.Notebook, Steps = record.Steps };
    }

    /// <summary>A stage with no run to show: ours empty, the lecture's numbers, and <paramref name="run"/> saying
    /// what to do about it ("no record: run 03-fixing-the-saturated-tanh.ipynb").</summary>
    public static LossLogRow Missing(MlpConfig stage, string run) =>
        Row(stage, true, null, float.NaN, float.NaN) with { Run = run };

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
    internal static IEnumerable<LossLogRow> Rows(Part1Match match, TrainingResult result, float train, float val)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(result);
        float? step0 = result.Lossi.Count > 0 ? MathF.Pow(10, result.Lossi[0]) : null;
        yield return Row(match.Stage, match.FullRun, step0, train, val);
    }

    // Ours, and the lecture's step-0 loss where the run is its stage, its final losses only after its full schedule.
    static LossLogRow Row(MlpConfig? stage, bool fullRun, float? step0, float train, float val)
    {
        var lecture = stage is null ? null : LectureReference.Part1(stage.Name);
        // The BatchNorm stage's final numbers are its executed notebook's printout (see Format's note).
        var (lectureTrain, lectureVal) = stage == MlpConfig.BatchNorm
            ? LectureReference.Part1BatchNormRunningStatistics
            : (lecture?.Train ?? double.NaN, lecture?.Val ?? double.NaN);
        if (!fullRun) (lectureTrain, lectureVal) = (double.NaN, double.NaN);
        return new(stage?.Name ?? "yours", step0, train, val, lecture?.Step0Loss, lectureTrain, lectureVal);
    }

    /// <summary>A text table: stage, then ours / lecture's for step 0, train and val (4 decimals); first the run and its
    /// steps when the rows say where they come from (notebook 06).</summary>
    public static string Format(IEnumerable<LossLogRow> rows)
    {
        var list = rows.ToList();
        int width = Math.Max(5, list.Select(r => r.Stage.Length).DefaultIfEmpty(0).Max());
        bool runs = list.Any(r => r.Run is not null);
        int runWidth = Math.Max(3, list.Select(r => r.Run?.Length ?? 0).DefaultIfEmpty(0).Max());
        string Lead(string run, string steps) => runs ? $"{run.PadRight(runWidth)}  {steps,6}  " : "";
        var sb = new StringBuilder();
        sb.AppendLine($"{Lead("run", "steps")}{"stage".PadRight(width)}  {"step 0",17}  {"train",17}  {"val",17}");
        sb.AppendLine($"{Lead("", "")}{"".PadRight(width)}  {"ours / lecture",17}  {"ours / lecture",17}  {"ours / lecture",17}");
        foreach (var r in list)
            sb.AppendLine($"{Lead(r.Run ?? "", r.Steps?.ToString(CultureInfo.InvariantCulture) ?? "—")}{r.Stage.PadRight(width)}  " +
                          $"{Pair(r.Step0Loss, r.LectureStep0Loss),17}  {Pair(r.Train, r.LectureTrain),17}  {Pair(r.Val, r.LectureVal),17}");
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
