namespace Makemore.Part1;

/// <summary>
/// How saturated a tanh layer is. tanh's local gradient is 1 − t²: where |t| is near 1 it is near 0, and whatever
/// gradient arrives from above is stopped there. The lecture looks at |h| &gt; 0.99 over one batch: a white pixel
/// is a neuron in a flat tail for that example; a column that is white for every example is a neuron that no
/// example in the batch can train (a "dead" neuron, for this batch).
/// </summary>
public static class Saturation
{
    /// <summary>The lecture's threshold: |h| &gt; 0.99.</summary>
    public const float Threshold = 0.99f;

    /// <summary>The local gradient of tanh at output t: d tanh(x)/dx = 1 − t².</summary>
    public static float TanhLocalGradient(float t) => 1 - t * t;

    /// <summary>|h| &gt; threshold per (example, neuron): the image the lecture draws with <c>plt.imshow</c>.</summary>
    public static bool[,] Mask(float[,] h, float threshold = Threshold)
    {
        var mask = new bool[h.GetLength(0), h.GetLength(1)];
        for (int i = 0; i < h.GetLength(0); i++)
            for (int j = 0; j < h.GetLength(1); j++)
                mask[i, j] = MathF.Abs(h[i, j]) > threshold;
        return mask;
    }

    /// <summary>The fraction of saturated entries.</summary>
    public static double Fraction(bool[,] mask)
    {
        int n = 0;
        foreach (bool b in mask) if (b) n++;
        return mask.Length == 0 ? 0 : (double)n / mask.Length;
    }

    /// <summary>The neurons (columns) saturated for every example of the batch.</summary>
    public static int[] DeadNeurons(bool[,] mask) =>
        Enumerable.Range(0, mask.GetLength(1))
            .Where(j => Enumerable.Range(0, mask.GetLength(0)).All(i => mask[i, j]))
            .ToArray();

    /// <summary>Points of tanh and its local gradient over [−from, from], for a picture of the flat tails.</summary>
    public static (float[] X, float[] Tanh, float[] Gradient) TanhCurve(float from = 4, int points = 161)
    {
        var x = Enumerable.Range(0, points).Select(i => -from + 2 * from * i / (points - 1)).ToArray();
        var t = x.Select(MathF.Tanh).ToArray();
        return (x, t, t.Select(TanhLocalGradient).ToArray());
    }
}
