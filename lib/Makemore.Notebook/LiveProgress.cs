using Makemore.Training;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace Makemore.Notebook;

/// <summary>
/// A training run's status as one display in the cell's output, updated in place (the engine's updatable display
/// value): step, loss, steps/s and time left while it trains, a last line when it ends. The loop sends a status a few
/// times a second at most. Headless runs (the notebook runner, where every update would become an output of its own in
/// the saved notebook) show only the last line.
/// </summary>
sealed class LiveProgress(KernelInvocationContext context, bool headless) : IProgress<TrainingStatus>
{
    DisplayedValue? shown;

    /// <summary>For runs inside a cell; null elsewhere (a console app, a test).</summary>
    public static IProgress<TrainingStatus>? ForCurrentCell() =>
        KernelInvocationContext.Current is { } context
            ? new LiveProgress(context, headless: !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ProgressFile.Variable)))
            : null;

    public void Report(TrainingStatus status)
    {
        if (headless && status.State == TrainingState.Running) return;
        if (shown is null) shown = context.Display(status);
        else shown.Update(status);
    }
}
