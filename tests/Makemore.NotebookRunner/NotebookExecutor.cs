using System.Diagnostics;

namespace Makemore.NotebookRunner;

/// <summary>How one notebook run ended.</summary>
public sealed record NotebookRun(string Name, TimeSpan Elapsed, int ExitCode, ExecutedNotebook? Executed, string Log)
{
    public bool Ok => ExitCode == 0 && Executed is not null && Executed.FirstFailedCell is null;

    /// <summary>One line: name, cells, time, ok or the failing cell and its error.</summary>
    public string Summary()
    {
        string cells = Executed is null ? "? cells" : $"{Executed.CodeCells.Count()} code cells";
        string status;
        if (Ok) status = "ok";
        else if (Executed?.FirstFailedCell is { } failed)
            status = $"FAILED at cell {failed.Index + 1}: {FirstLine(failed.Error!.Text)}";
        else status = $"FAILED (dotnet-repl exit {ExitCode}): {FirstLine(Log)}";
        return $"{Name,-40} {cells,15} {Elapsed.TotalSeconds,8:F1} s  {status}";
    }

    static string FirstLine(string s)
    {
        string line = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}

/// <summary>
/// Executes notebooks headless in the real .NET Interactive engine through dotnet-repl (the version pinned in
/// .config/dotnet-tools.json), the same engine as VS Code's Polyglot Notebooks.
/// </summary>
public sealed class NotebookExecutor(string repoRoot)
{
    /// <summary>Set for the notebook process: the library appends progress lines there (dotnet-repl itself prints
    /// nothing while it runs), and <see cref="Run"/> echoes them.</summary>
    public const string ProgressVariable = "MAKEMORE_PROGRESS_FILE";

    public string RepoRoot { get; } = Path.GetFullPath(repoRoot);
    public string NotebooksDir => Path.Combine(RepoRoot, "notebooks");
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public IReadOnlyList<string> Notebooks() =>
        Directory.GetFiles(NotebooksDir, "*.ipynb").Order(StringComparer.Ordinal).ToList();

    /// <summary>Restores the pinned dotnet-repl and builds the library and its notebook side in Release (both land in
    /// lib/Makemore.Notebook/bin/, where the notebooks load them from).</summary>
    public void Prepare(Action<string> log)
    {
        Dotnet(log, "tool", "restore");
        Dotnet(log, "build", Path.Combine(RepoRoot, "lib", "Makemore.Notebook", "Makemore.Notebook.csproj"), "-c", "Release", "--nologo", "-v", "q");
    }

    /// <summary>Runs <paramref name="notebook"/> top to bottom; the executed copy goes to <paramref name="outputDir"/>.
    /// The process's working directory is the notebook's folder, as in VS Code and Jupyter.</summary>
    public NotebookRun Run(string notebook, string outputDir, IDictionary<string, string> environment,
                           Action<string> progress)
    {
        string name = Path.GetFileName(notebook);
        Directory.CreateDirectory(outputDir);
        string output = Path.Combine(outputDir, name);
        string progressFile = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(name) + ".progress");
        File.Delete(output);
        File.WriteAllText(progressFile, "");

        var env = new Dictionary<string, string>(environment) { [ProgressVariable] = progressFile };
        var log = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        long seen = 0;
        // dotnet-repl prints nothing while it runs: the progress lines the library appends to the file are echoed
        void Echo()
        {
            using var stream = new FileStream(progressFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= seen) return;
            stream.Seek(seen, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            string text = reader.ReadToEnd();
            int complete = text.LastIndexOf('\n') + 1;       // echo whole lines only
            seen += System.Text.Encoding.UTF8.GetByteCount(text[..complete]);
            foreach (string line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
                progress($"  {Path.GetFileNameWithoutExtension(name)}: {line}");
        }
        int exit = ChildProcess.Dotnet(["tool", "run", "dotnet-repl", "--run", Path.GetFullPath(notebook), "--exit-after-run", "--output-path", output],
                                       Path.GetDirectoryName(Path.GetFullPath(notebook))!, env, log, Timeout, poll: Echo);
        Echo();
        File.Delete(progressFile);
        var executed = File.Exists(output) ? ExecutedNotebook.Load(output) : null;
        return new NotebookRun(name, clock.Elapsed, exit, executed, log.ToString());
    }

    void Dotnet(Action<string> log, params string[] args)
    {
        var output = new System.Text.StringBuilder();
        int exit = ChildProcess.Dotnet(args, RepoRoot, [], output, Timeout);
        if (exit != 0) throw new InvalidOperationException($"`dotnet {string.Join(' ', args)}` failed ({exit}):\n{output}");
        log($"dotnet {string.Join(' ', args.Take(2))}: ok");
    }

    /// <summary>The repository root: the nearest parent of <paramref name="start"/> holding global.json and notebooks/.</summary>
    public static string FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No repository root (global.json + notebooks/) above {start}");
    }
}
