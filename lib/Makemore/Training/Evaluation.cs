using System.Globalization;
using Makemore.Data;
using Makemore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>The lecture's <c>split_loss</c>: the loss over a whole split, with no grad, in evaluation mode (so a
/// BatchNorm model uses its running statistics).</summary>
public static class Evaluation
{
    public static float SplitLoss(IModel model, Tensor X, Tensor Y)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = model.Forward(X, training: false);
        return nn.functional.cross_entropy(logits, Y).item<float>();
    }

    /// <summary>The lecture's <c>split_loss('train'); split_loss('val')</c>: both losses, each printed on its line to
    /// <paramref name="log"/> (the console when null).</summary>
    public static SplitLosses SplitLosses(IModel model, Data.Dataset data, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        log ??= Console.Out;
        float train = SplitLoss(model, data.Xtr, data.Ytr);
        log.WriteLine(Line("train", train));
        float val = SplitLoss(model, data.Xdev, data.Ydev);
        log.WriteLine(Line("val", val));
        return new(train, val);
    }

    /// <summary>The line the lecture prints: <c>print(split, loss.item())</c>, e.g. <c>train 2.0668270587921143</c>
    /// (Python prints the float32 loss widened to a double, shortest round-trip form, as .NET does).</summary>
    public static string Line(string split, float loss) =>
        string.Create(CultureInfo.InvariantCulture, $"{split} {(double)loss}");
}

/// <summary>The loss over the whole training and validation splits, as <c>split_loss</c> prints them.</summary>
public sealed record SplitLosses(float Train, float Val)
{
    public override string ToString() => Evaluation.Line("train", Train) + Environment.NewLine + Evaluation.Line("val", Val);
}
