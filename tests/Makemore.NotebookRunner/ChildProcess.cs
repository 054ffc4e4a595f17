using System.Diagnostics;
using System.Text;

namespace Makemore.NotebookRunner;

/// <summary>
/// A <c>dotnet</c> child process, started the way the runner starts notebooks and apps: the environment set, stdin
/// closed (nothing may wait for a key), stdout and stderr collected line by line in order into one locked log, and the
/// whole process tree killed when it runs past its timeout.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Runs <c>dotnet <paramref name="args"/></c> in <paramref name="workingDirectory"/> and returns its exit
    /// code, or −1 when it timed out (the output then starts with "timed out after N min"). Each line also goes to
    /// <paramref name="echo"/>; <paramref name="poll"/> is called about once a second while it runs.</summary>
    public static int Dotnet(IEnumerable<string> args, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment,
                             StringBuilder output, TimeSpan timeout, Action<string>? echo = null, Action? poll = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        void Line(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            echo?.Invoke(line);
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        while (!process.WaitForExit(1000))
        {
            poll?.Invoke();
            if (clock.Elapsed > timeout)
            {
                process.Kill(entireProcessTree: true);
                lock (output) output.Insert(0, $"timed out after {timeout.TotalMinutes:F0} min\n");
                process.WaitForExit();
                return -1;
            }
        }
        process.WaitForExit();   // the output's last lines are in once this returns
        return process.ExitCode;
    }
}
