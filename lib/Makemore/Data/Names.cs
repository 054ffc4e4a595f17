using System.Globalization;
using System.Text;

namespace Makemore.Data;

/// <summary>Reads <c>names.txt</c>: one lowercase name per line. The lecture's vocabulary is exactly the
/// characters it finds, so a stray tab, capital or accented letter would silently change the model; we
/// refuse such a file with a message that points at the offending line and column instead.</summary>
internal static class Names
{
    /// <summary>Reads the names in file order. Accepts LF or CRLF line ends and one trailing newline.</summary>
    /// <exception cref="FileNotFoundException">the file does not exist.</exception>
    /// <exception cref="InvalidDataException">the file is empty, has a blank line, or a character outside a–z.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new FileNotFoundException(
                $"names file not found: {fullPath}; expected data/names.txt, one lowercase name per line", fullPath);

        string text = File.ReadAllText(fullPath, Encoding.UTF8);

        // The real file has no trailing newline, but an editor may well add one: accept exactly one.
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) text = text[..^2];
        else if (text.EndsWith('\n')) text = text[..^1];

        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].EndsWith('\r')) lines[i] = lines[i][..^1]; // CRLF line ends

        if (lines.All(string.IsNullOrWhiteSpace))
            throw new InvalidDataException(
                $"{fullPath}: the names file is empty; expected one lowercase name per line");

        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            if (lines[i].Length == 0)
                throw new InvalidDataException(
                    $"{fullPath}:{lineNumber}: empty line; expected one lowercase name per line");
            int column = 1;
            foreach (Rune r in lines[i].EnumerateRunes())
            {
                if (r.Value is < 'a' or > 'z')
                    throw new InvalidDataException(
                        $"{fullPath}:{lineNumber}:{column}: unexpected character {Describe(r)} in \"{Shorten(lines[i])}\"; " +
                        "names must be lowercase a–z");
                column++;
            }
        }
        return lines;
    }

    /// <summary>The line as it appears in an error: cut to a sensible length, control characters escaped so a
    /// stray '\r' cannot garble the message.</summary>
    static string Shorten(string line)
    {
        string s = line.Length <= 40 ? line : line[..40] + "…";
        return string.Concat(s.Select(c => c switch
        {
            '\t' => @"\t",
            '\r' => @"\r",
            _ when char.IsControl(c) => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));
    }

    /// <summary>How a bad character shows in an error: visibly, even when it is whitespace or invisible.</summary>
    static string Describe(Rune r)
    {
        string hint = Rune.IsUpper(r) ? " (uppercase)" : "";
        return r.Value switch
        {
            '\t' => @"'\t' (tab)",
            '\r' => @"'\r' (carriage return)",
            '\0' => @"'\0' (NUL)",
            ' ' => "' ' (space)",
            < 0x80 when !Rune.IsControl(r) => $"'{r}'{hint}",
            _ when Rune.IsControl(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.Format
                   or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                   or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                   or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse
                => $"U+{r.Value:X4}",
            _ => $"U+{r.Value:X4} '{r}'{hint}",
        };
    }
}
