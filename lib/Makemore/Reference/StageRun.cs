using Makemore.Data;
using Makemore.Diagnostics;
using Makemore.Models;
using Makemore.Training;
using TorchSharp;

namespace Makemore.Reference;

/// <summary>
/// One stage trained the lecture's way: a fresh generator, the model drawn from it, SGD for <c>steps</c> steps
/// (lr 0.1, then 0.01 from step 100000) with minibatches from the same generator, then the loss on the train and
/// val splits (evaluation mode: BatchNorm uses its running statistics).
/// </summary>
public sealed class StageRun : IDisposable
{
    /// <summary>The data set it was trained on.</summary>
    public Dataset Data { get; }
    internal MlpConfig Config { get; }
    internal Mlp Model { get; }
    public TrainingResult Training { get; }
    public float TrainLoss { get; }
    public float ValLoss { get; }

    /// <summary>The first minibatch's loss, as step 0 printed it (recovered from lossi: 10^log10(loss)).</summary>
    public float Step0Loss => MathF.Pow(10, Training.Lossi[0]);

    StageRun(Dataset data, MlpConfig config, Mlp model, TrainingResult training, float train, float val)
    {
        Data = data;
        (Config, Model, Training, TrainLoss, ValLoss) = (config, model, training, train, val);
    }

    /// <summary>Trains <paramref name="config"/> for <paramref name="steps"/> steps, printing the lecture's lines
    /// to <paramref name="log"/> (the console when null). <paramref name="fast"/>: on the fast path
    /// (<see cref="TrainingOptions.Fast"/>), quicker, and equal to the lecture's numbers to float precision only.</summary>
    public static StageRun Train(Dataset data, MlpConfig config, int steps, ulong seed = LectureSettings.Seed,
                                 TextWriter? log = null, CancellationToken cancellation = default, bool fast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (model, g) = Mlp.Create(config, data.Vocab.Size, data.BlockSize, seed);
        try
        {
            var options = new TrainingOptions(MaxSteps: steps, LearningRateDecayStep: LectureSettings.Part1DecayStep, Label: config.Name, Fast: fast);
            var training = Trainer.Train(model, data.Xtr, data.Ytr, g, options, log, cancellation);
            float train = Evaluation.SplitLoss(model, data.Xtr, data.Ytr);
            float val = Evaluation.SplitLoss(model, data.Xdev, data.Ydev);
            return new StageRun(data, config, model, training, train, val);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The lecture's <c>split_loss('train'); split_loss('val')</c> printout.</summary>
    public string SplitLosses => Evaluation.Line("train", TrainLoss) + Environment.NewLine + Evaluation.Line("val", ValLoss);

    /// <summary>Names sampled from the trained model (the lecture's sampling loop, seed 2147483647 + 10).</summary>
    public IReadOnlyList<string> Sample(int count = 20) => Sampler.Sample(Model, Data.Vocab, Data.BlockSize, count);

    /// <summary>The BatchNorm statistics of one pass over the whole training set (BatchNorm stages only).</summary>
    internal BatchNormStatistics Calibrate() => BatchNormCalibration.Calibrate(Model, Data.Xtr);

    /// <summary>Train and val losses evaluated with the given BatchNorm statistics instead of the running ones.</summary>
    internal (float Train, float Val) SplitLossesWith(BatchNormStatistics statistics)
    {
        var view = Model.WithStatistics(statistics);
        return (Evaluation.SplitLoss(view, Data.Xtr, Data.Ytr), Evaluation.SplitLoss(view, Data.Xdev, Data.Ydev));
    }

    public override string ToString() => $"{Config.Name}: {Training}; {SplitLosses.Replace(Environment.NewLine, ", ")}";

    public void Dispose() => Model.Dispose();
}
