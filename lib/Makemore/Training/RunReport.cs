using System.Diagnostics;
using System.Globalization;

namespace Makemore.Training;

/// <summary>
/// What a run tells the outside world while it trains, for both the plain and the fast loop: the lecture's printed
/// line every <see cref="TrainingOptions.PrintEvery"/> steps (to the log, the result and the headless runner's
/// progress file) and, a few times a second at most, a <see cref="TrainingStatus"/> for a live display
/// (<see cref="Trainer.Monitor"/>), with a last one when the run ends.
/// </summary>
sealed class RunReport
{
    static readonly long Interval = Stopwatch.Frequency / 4;

    readonly TextWriter log;
    readonly TrainingOptions options;
    readonly TrainingResult result;
    readonly ProgressFile file;
    readonly IProgress<TrainingStatus>? monitor;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long nextStatus;
    readonly bool echo;
    float lastLoss = float.NaN;

    /// <param name="echo">False for a loop written in a cell, which prints its own lines: the report then writes them
    /// only to the runner's progress file, and records neither <see cref="TrainingResult.Printed"/> nor
    /// <see cref="TrainingResult.FirstLoss"/> (it only sees <c>lossi</c>, whose 10^x can differ in the last digit).</param>
    public RunReport(TextWriter log, TrainingOptions options, TrainingResult result, bool echo = true)
    {
        (this.log, this.options, this.result, this.echo) = (log, options, result, echo);
        file = new ProgressFile(options.Label);
        monitor = Trainer.Monitor?.Invoke(options);
        Send(TrainingState.Running);
    }

    /// <summary>After step <paramref name="step"/> completed with minibatch loss <paramref name="loss"/>.</summary>
    public void Step(int step, float loss)
    {
        lastLoss = loss;
        if (step == 0 && echo) result.FirstLoss = loss;
        if (step % options.PrintEvery == 0)
        {
            string line = string.Create(CultureInfo.InvariantCulture, $"{step,7}/{options.MaxSteps,7}: {(double)loss:F4}");
            if (echo)
            {
                log.WriteLine(line);
                result.Printed.Add(line);
            }
            file.Write(line);
        }
        if (monitor is not null && clock.ElapsedTicks >= nextStatus) Send(TrainingState.Running);
    }

    /// <summary>The run ended: the result's time, the last status, the runner's summary line.</summary>
    public void End(TrainingState state)
    {
        result.Elapsed = clock.Elapsed;
        Send(state);
        if (state == TrainingState.Finished) file.Write(result.ToString());
    }

    void Send(TrainingState state)
    {
        if (monitor is null) return;
        nextStatus = clock.ElapsedTicks + Interval;
        monitor.Report(new TrainingStatus(options.Label, result.Steps, options.LastStep + 1, lastLoss, clock.Elapsed, state));
    }
}
