namespace Makemore.Diagnostics;

/// <summary>Printed lines set against the lecture's, so a notebook shows at a glance where it reproduces the
/// lecture digit for digit and where (and by how much) it does not.</summary>
public static class LectureComparison
{
    /// <summary>Our lines, each followed by "✓" when it equals the lecture's line, or by the lecture's line when it
    /// differs; then a count.</summary>
    public static string Compare(IEnumerable<string> ours, IEnumerable<string> lecture)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(lecture);
        var a = ours.ToList();
        var b = lecture.ToList();
        int width = a.Count == 0 ? 0 : a.Max(l => l.Length);
        var lines = new List<string>();
        int same = 0;
        for (int i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            string mine = i < a.Count ? a[i] : "(missing)";
            if (i < b.Count && mine == b[i]) { same++; lines.Add($"{mine.PadRight(width)}   ✓"); }
            else lines.Add($"{mine.PadRight(width)}   ≠ lecture: {(i < b.Count ? b[i] : "(no line)")}");
        }
        lines.Add($"{same} of {b.Count} lines identical to the lecture's");
        return string.Join("\n", lines);
    }

    /// <summary><see cref="Compare(IEnumerable{string}, IEnumerable{string})"/> for a diagnostic table.</summary>
    public static string Compare<T>(StatsTable<T> ours, IEnumerable<string> lecture) where T : notnull =>
        Compare(ours.Select(r => r.ToString()!), lecture);
}
