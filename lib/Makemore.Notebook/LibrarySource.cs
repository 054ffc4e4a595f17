namespace Makemore.Notebook;

/// <summary>The library's own source, for a notebook that shows what a class does (07 prints the layers).</summary>
public static class LibrarySource
{
    /// <summary>The text of <c>lib/Makemore/&lt;path&gt;</c> (e.g. "Layers/Linear.cs"), found by walking up from the
    /// current directory as <see cref="Data.Dataset.FindDataFile"/> does.</summary>
    public static string Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "lib", "Makemore", path);
            if (File.Exists(candidate)) return File.ReadAllText(candidate);
        }
        throw new FileNotFoundException($"could not find lib/Makemore/{path} above {Directory.GetCurrentDirectory()}", path);
    }

    /// <summary>The source without its <c>using</c> lines and XML doc comments: the code a reader wants to see.</summary>
    public static string Code(string path) =>
        string.Join("\n", Of(path).Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^using [^(]*;$") && !l.TrimStart().StartsWith("///"))
            .SkipWhile(string.IsNullOrWhiteSpace)).Trim();

    /// <summary>One member of a source file: from the first line that starts with <paramref name="signature"/> to the
    /// closing brace at its indentation (e.g. <c>Member("Layers/Network.cs", "public Tensor Forward")</c>).</summary>
    public static string Member(string path, string signature)
    {
        var lines = Of(path).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.FindIndex(l => l.TrimStart().StartsWith(signature, StringComparison.Ordinal));
        if (start < 0) throw new ArgumentException($"lib/Makemore/{path} has no member starting with \"{signature}\"", nameof(signature));
        string indent = lines[start][..(lines[start].Length - lines[start].TrimStart().Length)];
        int end = lines.FindIndex(start, l => l == indent + "}");
        if (lines[start].TrimEnd().EndsWith(';') || end < 0) end = start;
        return string.Join("\n", lines[start..(end + 1)].Select(l => l.StartsWith(indent) ? l[indent.Length..] : l));
    }
}
