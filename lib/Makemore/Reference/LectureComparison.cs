using System.Globalization;
using System.Text.RegularExpressions;
using Makemore.Data;
using Makemore.Diagnostics;
using Makemore.Models;
using Makemore.Training;

namespace Makemore.Reference;

/// <summary>Printed lines set against the lecture's, so a notebook shows at a glance where it reproduces the
/// lecture digit for digit and where (and by how much) it does not.</summary>
public static partial class LectureComparison
{
    /// <summary>Our lines, each followed by "✓" when it equals the lecture's line, or by the lecture's line when it
    /// differs; then a count.</summary>
    public static string Compare(IEnumerable<string> ours, IEnumerable<string> lecture) => Lines(ours, lecture, rounding: false);

    /// <summary><see cref="Compare(IEnumerable{string}, IEnumerable{string})"/> for a diagnostic table.</summary>
    public static string Compare<T>(StatsTable<T> ours, IEnumerable<string> lecture) where T : notnull =>
        Compare(ours.Select(r => r.ToString()!), lecture);

    /// <summary>
    /// A table a notebook printed for <paramref name="run"/> of <paramref name="model"/>, set against the lecture's only
    /// if the run is one the lecture ran (the same layers, initial parameters bit for bit, steps and learning rate:
    /// <see cref="LectureRuns.Find"/>);
    /// otherwise one line says there is no reference (<paramref name="settings"/> words it, e.g. "gain 2"). A line that
    /// differs from the lecture's only in the last printed digits of a <c>%e</c> number (less than one unit of the 6th significant digit) or in the sign of a zero is
    /// marked ≈ and explained in one line: float32 rounding after many steps, not a different result.
    /// </summary>
    public static string Compare(IModel model, TrainingResult run, LectureTable table, IEnumerable<string> ours, string? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(ours);
        var lines = ours.ToList();
        var match = LectureRuns.Find(model, run);
        if (match is null)
        {
            string what = settings ?? $"this run ({run.Steps} step{(run.Steps == 1 ? "" : "s")})";
            var same = LectureRuns.SameStart(model, run);
            if (same.Count > 0)
            {
                string ran = string.Join(" and for ", same.Select(r => $"{r.Steps} step{(r.Steps == 1 ? "" : "s")}"));
                return Note(same.Any(r => r.Steps == run.Steps)
                    ? $"no lecture reference for {what}: the lecture ran this net for {ran}, with batch 32 and lr 0.1"
                    : $"no lecture reference for {what}: the lecture ran this net for {ran}; this run took {run.Steps}");
            }
            return Note($"no lecture reference for {what}: the lecture ran {LectureRuns.RunsSummary}");
        }
        if (!match.Tables.TryGetValue(table, out var lecture))
            return Note($"no lecture numbers for this table: the lecture ran {match.Name}, but neither its notebook nor " +
                        "the video's tables keep these");
        return Lines(lines, lecture, rounding: true);

        string Note(string note) => string.Join("\n", lines.Append(note));
    }

    /// <summary>A part-1 run (notebooks 01–05) against the lecture's: the run is matched to a lecture stage by its
    /// parameters at init and its first loss (<see cref="Part1Reference"/>). Prints that verdict, then, where the lecture
    /// ran these settings, our step-0, train and val losses next to its own (and, for the BatchNorm stage, the printout
    /// line by line).</summary>
    public static string Compare(Dataset data, TrainingResult result, float train, float val)
    {
        var match = Part1Reference.Match(data, result);
        if (match.Stage is null) return match.Verdict;
        var rows = LossLog.Rows(match, result, train, val);
        string text = match.Verdict + Environment.NewLine + LossLog.Format(rows);
        if (match.FullRun && match.Stage == MlpConfig.BatchNorm)
            text += Environment.NewLine + "the training printout, line by line:" + Environment.NewLine +
                    Compare(result.Printed, LectureReference.Part1BatchNormTrainingLog);
        return text;
    }

    static string Lines(IEnumerable<string> ours, IEnumerable<string> lecture, bool rounding)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(lecture);
        var a = ours.ToList();
        var b = lecture.ToList();
        int width = a.Count == 0 ? 0 : a.Max(l => l.Length);
        var lines = new List<string>();
        int same = 0, close = 0;
        for (int i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            string mine = i < a.Count ? a[i] : "(missing)";
            if (i < b.Count && mine == b[i]) { same++; lines.Add($"{mine.PadRight(width)}   ✓"); }
            else if (rounding && i < a.Count && i < b.Count && OnlyRounding(mine, b[i])) { close++; lines.Add($"{mine.PadRight(width)}   ≈ lecture: {b[i]}"); }
            else lines.Add($"{mine.PadRight(width)}   ≠ lecture: {(i < b.Count ? b[i] : "(no line)")}");
        }
        string count = $"{same} of {b.Count} lines identical to the lecture's";
        if (close > 0)
            count += $"; the other {(close == 1 ? "line differs" : $"{close} differ")} only in their last printed digits (by less than one unit of the 6th significant digit) or the sign " +
                     "of a zero (≈): float32 sums rounded in another order, not a different result";
        lines.Add(count);
        return string.Join("\n", lines);
    }

    [GeneratedRegex(@"[+-]?\d+\.\d+(?:e[+-]\d+)?")]
    private static partial Regex Number();

    /// <summary>Whether two printed lines differ only in the sign of a number that prints as zero, or in <c>%e</c>
    /// numbers by less than one unit of their 6th significant digit (the 7th digit, the last one printed).</summary>
    internal static bool OnlyRounding(string ours, string lecture)
    {
        var x = Number().Matches(ours);
        var y = Number().Matches(lecture);
        if (x.Count != y.Count || Number().Replace(ours, "#") != Number().Replace(lecture, "#")) return false;
        for (int k = 0; k < x.Count; k++)
        {
            string p = x[k].Value, q = y[k].Value;
            if (p == q) continue;
            double u = double.Parse(p, CultureInfo.InvariantCulture), v = double.Parse(q, CultureInfo.InvariantCulture);
            if (u == 0 && v == 0) continue;                                     // +0.000000 against -0.000000
            if (!p.Contains('e') || !q.Contains('e')) return false;
            string[] pm = p.TrimStart('+').Split('e'), qm = q.TrimStart('+').Split('e');
            if (pm[1] != qm[1] || pm[0].StartsWith('-') != qm[0].StartsWith('-') || pm[0].Length != qm[0].Length) return false;
            long dp = long.Parse(pm[0].Replace(".", "").TrimStart('-'), CultureInfo.InvariantCulture);
            long dq = long.Parse(qm[0].Replace(".", "").TrimStart('-'), CultureInfo.InvariantCulture);
            if (Math.Abs(dp - dq) >= 10) return false;           // less than one unit of the 6th digit apart
        }
        return true;
    }
}
