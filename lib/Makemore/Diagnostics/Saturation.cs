namespace Makemore.Diagnostics;

/// <summary>
/// Why a saturated tanh stops learning: its local gradient is 1 − t², so where |t| is near 1 it is near 0, and
/// whatever gradient arrives from above is stopped there. (The notebooks count saturation themselves, as the lecture
/// does: <c>h.abs() &gt; 0.99</c>.)
/// </summary>
public static class Saturation
{
    /// <summary>The local gradient of tanh at output t: d tanh(x)/dx = 1 − t².</summary>
    internal static float TanhLocalGradient(float t) => 1 - t * t;

    /// <summary>Points of tanh and its local gradient over [−from, from], for a picture of the flat tails.</summary>
    public static (float[] X, float[] Tanh, float[] Gradient) TanhCurve(float from = 4, int points = 161)
    {
        var x = Enumerable.Range(0, points).Select(i => -from + 2 * from * i / (points - 1)).ToArray();
        var t = x.Select(MathF.Tanh).ToArray();
        return (x, t, t.Select(TanhLocalGradient).ToArray());
    }
}
