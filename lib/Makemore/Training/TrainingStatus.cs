using System.Globalization;

namespace Makemore.Training;

/// <summary>Where a run is: still training, finished, stopped by the caller (the notebook's stop button), or failed.</summary>
internal enum TrainingState { Running, Finished, Stopped, Failed }

/// <summary>
/// A training run's status for a live display: the steps completed, the last minibatch loss, the speed and the time
/// left. The loop sends one a few times a second at most, and a last one when it ends, however it ends.
/// </summary>
internal sealed record TrainingStatus(string Label, int Steps, int TotalSteps, float Loss, TimeSpan Elapsed, TrainingState State)
{
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>At the current speed; null before the first step.</summary>
    public TimeSpan? Left => Steps == 0 ? null : TimeSpan.FromSeconds((TotalSteps - Steps) / StepsPerSecond);

    public override string ToString() => State switch
    {
        TrainingState.Running =>
            FormattableString.Invariant($"{Label}: step {Steps}/{TotalSteps}, loss {(double)Loss:F4}, {StepsPerSecond:F0} steps/s, {Seconds(Left)} left"),
        TrainingState.Finished =>
            FormattableString.Invariant($"{Label}: {Steps}/{TotalSteps} steps in {Seconds(Elapsed)} ({StepsPerSecond:F0} steps/s), last loss {(double)Loss:F4}"),
        TrainingState.Stopped =>
            FormattableString.Invariant($"{Label}: stopped after {Steps} of {TotalSteps} steps ({Seconds(Elapsed)}); the model keeps the state of step {Steps - 1}"),
        _ => FormattableString.Invariant($"{Label}: failed after {Steps} of {TotalSteps} steps ({Seconds(Elapsed)}); the model keeps the state of step {Steps - 1}"),
    };

    static string Seconds(TimeSpan? t) => t is TimeSpan s ? s.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "?";
}
