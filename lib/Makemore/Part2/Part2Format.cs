using System.Globalization;

namespace Makemore.Part2;

/// <summary>Small formatting helpers for part 2's labels.</summary>
public static class Part2Format
{
    /// <summary>A gain as the lecture writes it: "5/3" for the Kaiming tanh gain, else the number.</summary>
    public static string Gain(double gain) =>
        gain == DeepNetOptions.TanhGain ? "5/3" : gain.ToString("0.###", CultureInfo.InvariantCulture);
}
