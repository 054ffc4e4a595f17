using System.Globalization;
using System.Text;
using Makemore.Data;

namespace Makemore.Part1;

/// <summary>One line of the loss log: our numbers next to the lecture's.</summary>
public sealed record LossLogRow(
    string Stage, float? Step0Loss, float Train, float Val,
    double? LectureStep0Loss, double LectureTrain, double LectureVal);

/// <summary>
/// The lecture's loss log: every part-1 stage trained in turn, each from a fresh generator, with its train/val
/// loss. The BatchNorm stage is compared with what the lecture's executed notebook printed (running statistics:
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
            rows.AddRange(Rows(run));
        }
        return rows;
    }

    /// <summary>The rows of one trained stage.</summary>
    public static IEnumerable<LossLogRow> Rows(StageRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var lecture = LectureReference.Part1LossLog.FirstOrDefault(s => s.Name == run.Config.Name);
        if (!run.Config.UseBatchNorm)
        {
            yield return new(run.Config.Name, run.Step0Loss, run.TrainLoss, run.ValLoss,
                             lecture?.Step0Loss, lecture?.Train ?? double.NaN, lecture?.Val ?? double.NaN);
            yield break;
        }
        var printed = LectureReference.Part1BatchNormRunningStatistics;
        yield return new(run.Config.Name, run.Step0Loss, run.TrainLoss, run.ValLoss,
                         lecture?.Step0Loss, printed.Train, printed.Val);
        var stats = run.Calibrate();
        var (train, val) = run.SplitLossesWith(stats);
        stats.Mean.Dispose();
        stats.Std.Dispose();
        yield return new("  same net, calibrated statistics", null, train, val, null, double.NaN, double.NaN);
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
