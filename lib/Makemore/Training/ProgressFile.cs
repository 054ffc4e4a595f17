namespace Makemore.Training;

/// <summary>
/// Appends progress lines to the file named by <c>MAKEMORE_PROGRESS_FILE</c>, which the headless notebook runner
/// sets and echoes (dotnet-repl prints nothing while a notebook runs). Does nothing when the variable is unset.
/// </summary>
internal sealed class ProgressFile(string label)
{
    public const string Variable = "MAKEMORE_PROGRESS_FILE";
    readonly string? path = Environment.GetEnvironmentVariable(Variable);

    public void Write(string line)
    {
        if (string.IsNullOrEmpty(path)) return;
        try { File.AppendAllText(path, $"{label}: {line}\n"); }
        // progress is a courtesy: never fail a training run over it (a full disk, a read-only or missing folder)
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
