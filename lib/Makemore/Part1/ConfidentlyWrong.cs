using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Part1;

/// <summary>
/// Why the starter's first loss (27.88) is wrong. At init nothing is known, so the net should give every one of
/// the 27 characters the same probability, and the loss should be −ln(1/27) = 3.2958. Instead the logits come out
/// large, the softmax is confident, and when it is confidently wrong the loss is huge. The lecture's toy example
/// shows it with 4 "characters" and the right label 2.
/// </summary>
public static class ConfidentlyWrong
{
    /// <summary><c>-torch.tensor(1/vocab).log()</c>: the loss of a uniform prediction (3.2958 for 27).</summary>
    public static float UniformLoss(int vocabSize)
    {
        using var scope = NewDisposeScope();
        return (-tensor(1.0f / vocabSize).log()).item<float>();
    }

    /// <summary>One toy prediction: logits over 4 characters, the softmax, and the loss for the right label.</summary>
    public sealed record ToyCase(float[] Logits, int Label, float[] Probs, float Loss);

    /// <summary><c>probs = softmax(logits); loss = -probs[label].log()</c>.</summary>
    public static ToyCase Toy(float[] logits, int label = 2)
    {
        using var scope = NewDisposeScope();
        var probs = nn.functional.softmax(tensor(logits), dim: 0);
        float loss = (-probs[label].log()).item<float>() + 0f;   // + 0: print a certain loss as 0, not −0
        return new ToyCase(logits, label, probs.data<float>().ToArray(), loss);
    }

    /// <summary>The lecture's cases for label 2: all equal (uniform, loss ln 4 = 1.386); confident and right;
    /// confident and wrong; then mixed larger values.</summary>
    public static IReadOnlyList<ToyCase> LectureCases() =>
    [
        Toy([0, 0, 0, 0]),
        Toy([0, 0, 5, 0]),
        Toy([0, 5, 0, 0]),
        Toy([-3, 5, 0, 2]),
    ];

    /// <summary><c>logits = randn(4) * scale</c>: the larger the scale, the more extreme the logits and (most of
    /// the time) the larger the loss.</summary>
    public static ToyCase Random(float scale, Generator g, int label = 2)
    {
        float[] logits;
        using (NewDisposeScope()) logits = (randn([4], generator: g) * scale).data<float>().ToArray();
        return Toy(logits, label);
    }

    /// <summary>One random toy case per scale, from a generator seeded <paramref name="seed"/>.</summary>
    public static IReadOnlyList<ToyCase> RandomCases(IEnumerable<float> scales, ulong seed, int label = 2)
    {
        var g = new Generator(seed);
        return scales.Select(s => Random(s, g, label)).ToList();
    }

    /// <summary>A small text table of toy cases.</summary>
    public static string Format(IEnumerable<ToyCase> cases)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{"logits",-32} {"probs",-40} {"loss (label 2)",14}");
        foreach (var c in cases)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{Vector(c.Logits, "F2"),-32} {Vector(c.Probs, "F4"),-40} {c.Loss,14:F4}"));
        return sb.ToString();
    }

    static string Vector(float[] v, string format) =>
        "[" + string.Join(", ", v.Select(x => x.ToString(format, CultureInfo.InvariantCulture))) + "]";
}
