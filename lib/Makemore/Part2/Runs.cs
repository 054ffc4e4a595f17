using Makemore.Data;
using Makemore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Part2;

/// <summary>A built net, the generator it was drawn from (which also draws its minibatches), and what training left.</summary>
public sealed record Part2Run(DeepNet Net, Generator Generator, TrainingResult Result)
{
    public override string ToString() => $"{Net}: {Result}";
}

/// <summary>
/// The two kinds of run part 2 makes, each from a fresh generator seeded 2147483647 (as the lecture re-seeds in the
/// cell that builds the net): a diagnostic run that stops early with every layer's output and gradient kept, and a
/// full training run.
/// </summary>
public static class Runs
{
    public const ulong Seed = LectureSettings.Seed;

    /// <summary>The lecture's max_steps and the step where part 2's learning rate drops from 0.1 to 0.01.</summary>
    public const int MaxSteps = LectureSettings.MaxSteps, LearningRateDecayStep = LectureSettings.Part2DecayStep;

    /// <summary>
    /// Builds the net and trains it until step <paramref name="stopAfter"/> (the lecture's <c>break</c>: 0 is "at init",
    /// right after the first step; 1000 is 1001 updates), recording ud and keeping every layer's output and gradient.
    /// A step budget (<see cref="Budget"/>) can shorten it. <paramref name="fast"/>: on the fast path
    /// (<see cref="TrainingOptions.Fast"/>).
    /// </summary>
    public static Part2Run Diagnose(Dataset data, DeepNetOptions options, int stopAfter = 1000, double? learningRate = null,
                                    TextWriter? log = null, string? label = null, bool fast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(stopAfter);
        var g = new Generator(Seed);
        var net = DeepNet.Create(g, options, data.Vocab.Size, data.BlockSize);
        net.RetainOutputs = true;
        var training = DiagnoseOptions(stopAfter, learningRate, fast, label ?? "diagnose");
        return new Part2Run(net, g, Trainer.Train(net, data.Xtr, data.Ytr, g, training, log));
    }

    /// <summary>Builds the net and trains it for <paramref name="maxSteps"/> steps (capped by the step budget), with the
    /// lecture's learning-rate schedule (or a constant <paramref name="learningRate"/>), printing the loss every 10000
    /// steps. <paramref name="fast"/>: on the fast path (<see cref="TrainingOptions.Fast"/>), several times quicker,
    /// equal to the autograd loop's numbers to float precision.</summary>
    public static Part2Run Train(Dataset data, DeepNetOptions options, int maxSteps = MaxSteps, double? learningRate = null,
                                 TextWriter? log = null, string? label = null, bool fast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var g = new Generator(Seed);
        var net = DeepNet.Create(g, options, data.Vocab.Size, data.BlockSize);
        var training = TrainOptions(maxSteps, learningRate, fast, label ?? "train");
        return new Part2Run(net, g, Trainer.Train(net, data.Xtr, data.Ytr, g, training, log));
    }

    /// <summary>The options of the lecture's part 2 loop stopped by its <c>break</c> after step <paramref name="stopAfter"/>
    /// (0: right after the first step, "at init"; 1000: 1001 updates), recording ud for viz #4. A step budget
    /// (<see cref="Budget"/>) can shorten it. <paramref name="learningRate"/>: a constant one instead of the lecture's
    /// schedule; <paramref name="fast"/>: on the fast path.</summary>
    public static TrainingOptions DiagnoseOptions(int stopAfter, double? learningRate = null, bool fast = false, string label = "diagnose")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stopAfter);
        return new TrainingOptions(MaxSteps: MaxSteps, LearningRateDecayStep: LearningRateDecayStep, RecordUpdateRatios: true,
                                   StopAfter: Budget.Steps(stopAfter + 1) - 1, Label: label, ConstantLearningRate: learningRate,
                                   Fast: fast);
    }

    /// <summary>The options of the lecture's full part 2 run: <paramref name="maxSteps"/> (capped by the step budget),
    /// lr 0.1 then 0.01 from step 150000 (or a constant <paramref name="learningRate"/>), the loss printed every 10000
    /// steps.</summary>
    public static TrainingOptions TrainOptions(int maxSteps = MaxSteps, double? learningRate = null, bool fast = false, string label = "train") =>
        new(MaxSteps: Budget.Steps(maxSteps), LearningRateDecayStep: LearningRateDecayStep, Label: label,
            ConstantLearningRate: learningRate, Fast: fast);
}
