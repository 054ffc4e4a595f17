using System.Diagnostics;
using System.Text;

namespace Makemore.NotebookRunner;

/// <summary>How one file-based app run ended: its output (stdout and stderr, in order) and the chart pages it wrote.</summary>
public sealed record AppRun(string Name, TimeSpan Build, TimeSpan Elapsed, int ExitCode, string Output, string ChartsDir)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The chart pages the app wrote, in order.</summary>
    public IReadOnlyList<string> Charts => Directory.Exists(ChartsDir)
        ? Directory.GetFiles(ChartsDir, "*.html").Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>One line: name, charts, build and run time, ok or the last lines of the output.</summary>
    public string Summary()
    {
        string status = Ok ? "ok" : $"FAILED (exit {ExitCode}): " +
            string.Join(" | ", Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
        return $"{Name,-40} {Charts.Count,3} charts  build {Build.TotalSeconds,6:F1} s  run {Elapsed.TotalSeconds,6:F1} s  {status}";
    }
}

/// <summary>
/// Runs the chapters as file-based apps (notebooks/apps/, see <see cref="AppConverter"/>) with only the .NET SDK: no
/// notebook engine. Each app is built first (<c>dotnet build -c Release app.cs</c>), one at a time, because every app
/// builds the same library project; the built apps can then run side by side.
/// </summary>
public sealed class AppExecutor(string repoRoot)
{
    public string RepoRoot { get; } = Path.GetFullPath(repoRoot);
    public string AppsDir => Path.Combine(RepoRoot, "notebooks", AppConverter.AppsFolder);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The variable that tells an app where its charts go (Makemore.Notebook.AppHost.ChartsVariable).</summary>
    public const string ChartsVariable = "MAKEMORE_CHARTS";

    static readonly SemaphoreSlim Builds = new(1, 1);

    public IReadOnlyList<string> Apps() =>
        Directory.Exists(AppsDir) ? Directory.GetFiles(AppsDir, "*.cs").Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>Builds <paramref name="app"/> in Release (one build at a time in this process) and runs it from the
    /// repository root with <paramref name="environment"/>; its charts go to <paramref name="chartsDir"/>.</summary>
    public AppRun Run(string app, string chartsDir, IDictionary<string, string> environment, Action<string>? progress = null)
    {
        string name = Path.GetFileNameWithoutExtension(app);
        if (Directory.Exists(chartsDir)) Directory.Delete(chartsDir, recursive: true);
        Directory.CreateDirectory(chartsDir);
        var output = new StringBuilder();
        int exit;
        Builds.Wait();
        var build = Stopwatch.StartNew();        // the build itself, not the wait for another app's
        try { exit = Dotnet(["build", "-c", "Release", "--nologo", "-v", "q", app], environment, output, null, Timeout); }
        finally { Builds.Release(); }
        build.Stop();
        if (exit != 0) return new AppRun(name, build.Elapsed, TimeSpan.Zero, exit, output.ToString(), chartsDir);
        output.Clear();
        var env = new Dictionary<string, string>(environment) { [ChartsVariable] = chartsDir };
        var run = Stopwatch.StartNew();
        exit = Dotnet(["run", "-c", "Release", "--no-build", app], env, output,
                      progress is null ? null : line => progress($"  {name}: {line}"), Timeout);
        return new AppRun(name, build.Elapsed, run.Elapsed, exit, output.ToString(), chartsDir);
    }

    int Dotnet(string[] args, IDictionary<string, string> environment, StringBuilder output, Action<string>? echo, TimeSpan timeout) =>
        ChildProcess.Dotnet(args, RepoRoot, environment, output, timeout, echo);
}
