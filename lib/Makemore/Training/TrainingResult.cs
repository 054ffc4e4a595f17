using Makemore.Data;
namespace Makemore.Training;

/// <summary>What a training run leaves behind: the lecture's <c>lossi</c> (log10 of each step's minibatch loss) and,
/// when asked for, <c>ud</c> (per step, per parameter: log10 of update std / data std).</summary>
public sealed class TrainingResult
{
    /// <summary>The options the run was trained with.</summary>
    public TrainingOptions? Options { get; init; }
    /// <summary>Every parameter as it was before the first update (shape and values), in the model's order: what the
    /// comparisons with the lecture look at to tell which of its runs this one is.</summary>
    internal IReadOnlyList<ParameterSnapshot> Initial { get; init; } = [];
    public List<float> Lossi { get; } = [];
    /// <summary>The lines the loop printed (<c>{step,7}/{max_steps,7}: {loss:.4f}</c>), to set next to the lecture's.</summary>
    public List<string> Printed { get; } = [];
    public List<float[]> Ud { get; } = [];
    /// <summary>For a loop written in a cell (<see cref="Trainer.Steps"/>), whose options the library cannot read: what
    /// its update did at sampled steps, to tell whether it was the lecture's schedule. Empty for
    /// <see cref="Trainer.Train"/>, whose <see cref="Options"/> say it.</summary>
    internal List<UpdateSample> Updates { get; } = [];
    /// <summary>Steps taken (updates applied).</summary>
    public int Steps => Lossi.Count;
    public TimeSpan Elapsed { get; internal set; }
    /// <summary>Trained on the fast path (<see cref="TrainingOptions.Fast"/>) rather than through autograd.</summary>
    public bool Fast { get; init; }
    public double StepsPerSecond => Steps / Math.Max(Elapsed.TotalSeconds, 1e-9);
    /// <summary>The minibatch loss of the first step, as the loop printed it at step 0 (10^lossi[0] can differ in the
    /// last printed digit); NaN before a step completed.</summary>
    public float FirstLoss { get; internal set; } = float.NaN;
    /// <summary>The minibatch loss of the last step.</summary>
    public float LastLoss => Lossi.Count == 0 ? float.NaN : MathF.Pow(10, Lossi[^1]);
    public override string ToString() =>
        $"{Steps} steps in {Elapsed.TotalSeconds:F1} s ({StepsPerSecond:F0} steps/s{(Fast ? " on the fast path" : "")}), " +
        $"last minibatch loss {LastLoss:F4}";
}

/// <summary>
/// What a loop's update did to a few values of every parameter at one step (those with the largest gradients, where an
/// update shows most): the value before the step, its gradient and the value after, concatenated over the parameters.
/// Enough to tell afterwards, to the bit, whether the step was the lecture's <c>p.data += -lr * p.grad</c> with a given lr.
/// </summary>
internal sealed record UpdateSample(int Step, float[] Before, float[] Grad, float[] After)
{
    /// <summary>True when every sampled value after the step is exactly before + (−lr)·grad in float32, as libtorch
    /// computes <c>p.add_(-lr * p.grad)</c> (the product rounded to float, then the sum); false if the step applied
    /// another lr or another update (momentum, weight decay), or a parameter had no gradient (NaN).</summary>
    public bool Applied(double lr)
    {
        float negLr = (float)-lr;
        for (int j = 0; j < After.Length; j++)
        {
            float product = Grad[j] * negLr;
            float expected = Before[j] + product;
            if (float.IsNaN(expected) || BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(After[j]))
                return false;
        }
        return true;
    }
}

/// <summary>Training was stopped by its caller (the notebook's stop button): <see cref="Partial"/> keeps what was
/// recorded, and the model holds the state after the last completed step.</summary>
public sealed class TrainingStoppedException(string message, TrainingResult partial, CancellationToken token)
    : OperationCanceledException(message, token)
{
    public TrainingResult Partial { get; } = partial;
}

/// <summary>Training stopped because the loss stopped being a number. <see cref="Partial"/> keeps what was recorded.</summary>
public sealed class TrainingDivergedException(string message, TrainingResult partial) : Exception(message)
{
    public TrainingResult Partial { get; } = partial;
}

/// <summary>A copy of one parameter's values.</summary>
internal sealed record ParameterSnapshot(long[] Shape, float[] Values)
{
    public static ParameterSnapshot Of(TorchSharp.torch.Tensor t)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        return new(t.shape, Floats.Of(t));
    }

    /// <summary>Same shape and every value bit for bit.</summary>
    public bool SameAs(ParameterSnapshot other) =>
        Shape.SequenceEqual(other.Shape) &&
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan())
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other.Values.AsSpan()));
}

/// <summary>The first step of the loop, without its update (<see cref="Trainer.FirstStep"/>): the loss step 0 prints,
/// the logits and the minibatch.</summary>
public sealed record FirstStepResult(float Loss, TorchSharp.torch.Tensor Logits, TorchSharp.torch.Tensor Xb, TorchSharp.torch.Tensor Yb)
{
    /// <summary>The line step 0 prints: <c>{loss:.4f}</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step 0 loss: {(double)Loss:F4}");
}
