namespace Makemore.Training;

/// <summary>What a training run leaves behind: the lecture's <c>lossi</c> (log10 of each step's minibatch loss) and,
/// when asked for, <c>ud</c> (per step, per parameter: log10 of update std / data std).</summary>
public sealed class TrainingResult
{
    public List<float> Lossi { get; } = [];
    public List<float[]> Ud { get; } = [];
    /// <summary>Steps taken (updates applied).</summary>
    public int Steps => Lossi.Count;
    public TimeSpan Elapsed { get; internal set; }
    /// <summary>Trained on the fast path (<see cref="TrainingOptions.Fast"/>) rather than through autograd.</summary>
    public bool Fast { get; init; }
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);
    /// <summary>The minibatch loss of the last step.</summary>
    public float LastLoss => Lossi.Count == 0 ? float.NaN : MathF.Pow(10, Lossi[^1]);
    public override string ToString() =>
        $"{Steps} steps in {Elapsed.TotalSeconds:F1} s ({StepsPerSecond:F0} steps/s{(Fast ? " on the fast path" : "")}), " +
        $"last minibatch loss {LastLoss:F4}";
}

/// <summary>Training stopped because the loss stopped being a number. <see cref="Partial"/> keeps what was recorded.</summary>
public sealed class TrainingDivergedException(string message, TrainingResult partial) : Exception(message)
{
    public TrainingResult Partial { get; } = partial;
}
