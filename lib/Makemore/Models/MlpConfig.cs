using Makemore.Data;
namespace Makemore.Models;

/// <summary>
/// One stage of part 1: the same two-layer MLP, initialised a little better each time. Every tensor is drawn from
/// the generator and then scaled (a tensor scaled to zero is still drawn, so the random stream stays aligned);
/// <see cref="B1"/> null means b1 does not exist and is not drawn (the BatchNorm stage).
/// </summary>
/// <param name="Name">The stage, as the lecture's loss log names it.</param>
/// <param name="W1">Scale of W1 (n_embd·block_size, n_hidden).</param>
/// <param name="B1">Scale of b1 (n_hidden), or null for no b1 at all.</param>
/// <param name="W2">Scale of W2 (n_hidden, vocab_size).</param>
/// <param name="B2">Scale of b2 (vocab_size).</param>
/// <param name="UseBatchNorm">Put the lecture's BatchNorm layer between hpreact and tanh.</param>
/// <param name="NEmbd">n_embd: the dimensionality of the character embedding vectors.</param>
/// <param name="NHidden">n_hidden: the number of neurons in the hidden layer.</param>
public sealed record MlpConfig(
    string Name,
    InitScale W1,
    InitScale? B1,
    InitScale W2,
    InitScale B2,
    bool UseBatchNorm = false,
    int NEmbd = 10,
    int NHidden = 200)
{
    /// <summary>W1 × (5/3)/√fan_in for the default sizes (fan_in = n_embd·block_size = 30).</summary>
    public static InitScale KaimingW1(int fanIn = 30) => InitScale.Kaiming(LectureSettings.TanhGain, fanIn);

    /// <summary>The starter code: everything straight from randn. Step 0 prints 27.8817.</summary>
    public static MlpConfig Starter { get; } = new("original", 1, 1, 1, 1);

    /// <summary>The softmax was confidently wrong: logits near zero at init (W2 × 0.01, b2 × 0).</summary>
    public static MlpConfig FixInitialLoss { get; } = new("fix softmax confidently wrong", 1, 1, 0.01, 0);

    /// <summary>The tanh layer was saturated at init: smaller pre-activations (W1 × 0.2, b1 × 0.01).</summary>
    public static MlpConfig FixSaturatedTanh { get; } = new("fix tanh layer too saturated at init", 0.2, 0.01, 0.01, 0);

    /// <summary>The semi-principled scale for W1: gain/√fan_in = (5/3)/√30.</summary>
    public static MlpConfig Kaiming { get; } = new("use semi-principled \"kaiming init\"", KaimingW1(), 0.01, 0.01, 0);

    /// <summary>A BatchNorm layer after emb·W1; b1 is gone (BatchNorm's own bias replaces it).</summary>
    public static MlpConfig BatchNorm { get; } = new("add batch norm layer", KaimingW1(), null, 0.01, 0, UseBatchNorm: true);

    /// <summary>The five stages in the lecture's order.</summary>
    public static IReadOnlyList<MlpConfig> Stages { get; } = [Starter, FixInitialLoss, FixSaturatedTanh, Kaiming, BatchNorm];

    public override string ToString() =>
        $"{Name}: W1 × {W1}, b1 {(B1 is InitScale b ? $"× {b}" : "none")}, W2 × {W2}, b2 × {B2}" +
        (UseBatchNorm ? ", BatchNorm" : "");
}
