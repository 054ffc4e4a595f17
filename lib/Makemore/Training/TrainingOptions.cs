using Makemore.Data;
namespace Makemore.Training;

/// <summary>The knobs of the lecture's training loop.</summary>
/// <param name="MaxSteps">max_steps: 200000 in the lecture.</param>
/// <param name="LearningRateDecayStep">lr is 0.1 before this step and 0.01 from it on (100000 in part 1,
/// 150000 in part 2).</param>
/// <param name="BatchSize">32.</param>
/// <param name="PrintEvery">Print <c>{step,7}/{max_steps,7}: {loss:.4f}</c> every so many steps.</param>
/// <param name="RecordUpdateRatios">Append ud (log10 of std(lr·grad)/std(p) per parameter) every step: viz #4.</param>
/// <param name="StopAfter">Stop after this step (the lecture's <c>break</c>: 1000 means 1001 updates, 0 means
/// right after the first step). Null trains all <see cref="MaxSteps"/> steps.</param>
/// <param name="Label">Names the run in progress lines (e.g. the notebook's chapter).</param>
/// <param name="ConstantLearningRate">When set, every step uses this learning rate instead of the step decay (part 2
/// shows what a too-low one, 0.001, does to the update:data ratios).</param>
/// <param name="Fast">Train with the fast path (<see cref="FastNet"/>: the same model, minibatches and updates,
/// with a hand-written backward pass on float arrays) instead of TorchSharp's autograd. Several times faster; the
/// numbers agree with the plain path to float precision, not to the bit, so the lecture's printed losses are only
/// reproduced exactly with the default, false.</param>
public sealed record TrainingOptions(
    int MaxSteps = LectureSettings.MaxSteps,
    int LearningRateDecayStep = LectureSettings.Part1DecayStep,
    int BatchSize = LectureSettings.BatchSize,
    int PrintEvery = 10_000,
    bool RecordUpdateRatios = false,
    int? StopAfter = null,
    string Label = "train",
    double? ConstantLearningRate = null,
    bool Fast = false)
{
    /// <summary>The lecture's part-2 loop stopped by its <c>break</c> after step <paramref name="step"/> (0: right after
    /// the first step, "at init"; 1000: 1001 updates), recording ud for viz #4: lr 0.1 (0.01 from step 150000), or a
    /// constant <paramref name="learningRate"/>; <paramref name="fast"/>: on the fast path.</summary>
    public static TrainingOptions BreakAfter(int step, double? learningRate = null, bool fast = false, string label = "diagnose")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return new(MaxSteps: LectureSettings.MaxSteps, LearningRateDecayStep: LectureSettings.Part2DecayStep,
                   RecordUpdateRatios: true, StopAfter: step, Label: label, ConstantLearningRate: learningRate, Fast: fast);
    }

    /// <summary>The lecture's full part-2 run of the deep net: <paramref name="maxSteps"/>, lr 0.1 then 0.01 from step
    /// 150000 (or a constant <paramref name="learningRate"/>), the loss printed every 10000 steps.</summary>
    public static TrainingOptions Deep(int maxSteps = LectureSettings.MaxSteps, double? learningRate = null, bool fast = false,
                                       string label = "train") =>
        new(MaxSteps: maxSteps, LearningRateDecayStep: LectureSettings.Part2DecayStep, Label: label,
            ConstantLearningRate: learningRate, Fast: fast);

    public double LearningRate(int step) => ConstantLearningRate ?? (step < LearningRateDecayStep ? 0.1 : 0.01);

    /// <summary>The last step the loop takes: max_steps − 1, or <see cref="StopAfter"/> if that comes first.</summary>
    internal int LastStep => Math.Min(MaxSteps - 1, StopAfter ?? int.MaxValue);

    internal void Validate()
    {
        if (MaxSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "MaxSteps must be at least 1");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1");
        if (PrintEvery < 1) throw new ArgumentOutOfRangeException(nameof(PrintEvery), PrintEvery, "PrintEvery must be at least 1");
        if (ConstantLearningRate is double lr && !(lr > 0 && double.IsFinite(lr)))
            throw new ArgumentOutOfRangeException(nameof(ConstantLearningRate), lr, "a learning rate must be a positive number");
        if (StopAfter < 0) throw new ArgumentOutOfRangeException(nameof(StopAfter), StopAfter, "StopAfter cannot be negative");
    }
}
