using Makemore.Data;
using Makemore.Text;
namespace Makemore.Models;

/// <summary>
/// The knobs of the lecture's deep MLP (the "PyTorch-ified" one): five hidden blocks of Linear (+ BatchNorm) + Tanh,
/// then an output Linear (+ BatchNorm).
/// </summary>
/// <param name="BatchNorm">Put a BatchNorm1d after every Linear (and drop the Linears' biases): 47024 parameters
/// instead of 46497.</param>
/// <param name="Gain">Every Linear weight but the output layer's (without BatchNorm) is multiplied by it: 5/3 is the
/// Kaiming gain for tanh; the lecture also tries 1, 3 and 0.5 (and 1 for the purely linear net).</param>
/// <param name="Tanh">False removes every Tanh: the "fully linear case".</param>
/// <param name="LastLayerScale">The output layer is made less confident at init: its Linear weight (without
/// BatchNorm) or its BatchNorm gamma (with) is multiplied by this.</param>
/// <param name="NEmbd">Dimensions of each character's embedding (n_embd).</param>
/// <param name="NHidden">Neurons per hidden layer (n_hidden).</param>
/// <param name="HiddenBlocks">How many Linear(+BN)+Tanh blocks before the output layer (5 in the lecture).</param>
public sealed record NetworkOptions(
    bool BatchNorm = false,
    double Gain = LectureSettings.TanhGain,
    bool Tanh = true,
    double LastLayerScale = 0.1,
    int NEmbd = 10,
    int NHidden = 100,
    int HiddenBlocks = 5)
{
    /// <summary>What the options build, in the lecture's words.</summary>
    public override string ToString() =>
        $"{HiddenBlocks} hidden layers of {NHidden}, {(BatchNorm ? "with" : "without")} BatchNorm, " +
        $"{(Tanh ? "tanh" : "no tanh (linear)")}, gain {PyFormat.Gain(Gain)}";

    internal void Validate()
    {
        if (NEmbd < 1) throw new ArgumentOutOfRangeException(nameof(NEmbd), NEmbd, "n_embd must be at least 1");
        if (NHidden < 1) throw new ArgumentOutOfRangeException(nameof(NHidden), NHidden, "n_hidden must be at least 1");
        if (HiddenBlocks < 1) throw new ArgumentOutOfRangeException(nameof(HiddenBlocks), HiddenBlocks, "at least one hidden block");
        if (!double.IsFinite(Gain)) throw new ArgumentOutOfRangeException(nameof(Gain), Gain, "the gain must be a finite number");
        if (!double.IsFinite(LastLayerScale)) throw new ArgumentOutOfRangeException(nameof(LastLayerScale), LastLayerScale, "must be finite");
    }
}
