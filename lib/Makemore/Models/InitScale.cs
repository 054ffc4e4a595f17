using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Models;

/// <summary>
/// How a freshly drawn <c>randn</c> tensor is scaled at init: <c>randn(...) * Multiply / Divide</c>.
/// Two numbers rather than one because the lecture writes the Kaiming scale as
/// <c>randn(...) * (5/3) / (30**0.5)</c>: two float32 roundings, which a single pre-computed factor would not
/// reproduce bit for bit. A plain number converts implicitly (<c>W1 = 0.2</c>).
/// </summary>
public readonly record struct InitScale(double Multiply, double Divide = 1)
{
    /// <summary>Leave the draw as it is (the starter code).</summary>
    public static InitScale One => new(1);

    /// <summary><c>gain / sqrt(fanIn)</c>: the "Kaiming init" of a layer with <paramref name="fanIn"/> inputs.</summary>
    public static InitScale Kaiming(double gain, int fanIn) => new(gain, Math.Sqrt(fanIn));

    public static implicit operator InitScale(double scale) => new(scale);

    /// <summary>The overall factor (for printing and comparing: 0.2 vs (5/3)/√30 = 0.3043).</summary>
    public double Value => Multiply / Divide;

    /// <summary>A new tensor <c>t * Multiply / Divide</c>, skipping the operations that are identities (as the
    /// lecture's starter code simply has no multiplication).</summary>
    internal Tensor Apply(Tensor t)
    {
        var scaled = Multiply == 1 ? t.clone() : t * Multiply;
        if (Divide == 1) return scaled;
        var divided = scaled / Divide;
        scaled.Dispose();
        return divided;
    }

    public override string ToString() => Divide == 1
        ? Multiply.ToString("G6", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Multiply:G6}/{Divide:G6} = {Value:G4}");
}
