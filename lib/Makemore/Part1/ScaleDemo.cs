using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Part1;

/// <summary>
/// The Kaiming chapter's demonstration: x ~ N(0,1) of shape (1000, fan_in) times w ~ N(0,1) of shape
/// (fan_in, 200) gives y with std ≈ √fan_in, because each output sums fan_in products of unit variance. Dividing w
/// by √fan_in keeps y's std at 1. A tanh after it squashes, so a gain (5/3 for tanh) puts some spread back:
/// weights ~ N(0, 1) · gain/√fan_in, which is what <c>torch.nn.init.kaiming_normal_</c> draws.
/// </summary>
public static class ScaleDemo
{
    /// <summary>One run: the statistics of x and y, and their values for histograms.</summary>
    public sealed record Result(InitScale WScale, int FanIn, float XMean, float XStd, float YMean, float YStd,
                                float[] X, float[] Y);

    /// <summary><c>x = randn(examples, fanIn); w = randn(fanIn, fanOut) * scale; y = x @ w</c>.</summary>
    public static Result Run(InitScale wScale, int fanIn = 10, int fanOut = 200, int examples = 1000, ulong seed = Mlp.Seed)
    {
        var g = new Generator(seed);
        using var scope = NewDisposeScope();
        var x = randn([examples, fanIn], generator: g);
        var w = wScale.Apply(randn([fanIn, fanOut], generator: g));
        var y = x.mm(w);
        return new Result(wScale, fanIn, x.mean().item<float>(), x.std().item<float>(),
                          y.mean().item<float>(), y.std().item<float>(),
                          x.reshape(-1).data<float>().ToArray(), y.reshape(-1).data<float>().ToArray());
    }

    /// <summary>One line per scale of w: the std of x and of y = x @ w.</summary>
    public static string Table(IEnumerable<InitScale> scales, int fanIn = 10, ulong seed = Mlp.Seed)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{"w = randn × …",-28} {"x.std()",8} {"y.std()",8}");
        foreach (var s in scales)
        {
            var r = Run(s, fanIn, seed: seed);
            sb.AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{s,-28} {r.XStd,8:F4} {r.YStd,8:F4}"));
        }
        return sb.ToString();
    }

    /// <summary>The gain PyTorch recommends for tanh (<c>torch.nn.init.calculate_gain('tanh')</c>).</summary>
    public static double TanhGain => nn.init.calculate_gain(nn.init.NonlinearityType.Tanh);
}
