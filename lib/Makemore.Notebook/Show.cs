using System.Globalization;
using TorchSharp;

namespace Makemore.Notebook;

/// <summary>Short printouts for notebook cells.</summary>
public static class Show
{
    /// <summary>A tensor's values in one line, <c>[0.0000, 0.0000, 1.0000, …]</c>: every element (flattened) in
    /// <paramref name="format"/>, the first <paramref name="max"/> of them and "…" when there are more.</summary>
    public static string Values(torch.Tensor t, string format = "F4", int max = 30)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        using var scope = torch.NewDisposeScope();
        var values = t.detach().reshape(-1).to(torch.float32).data<float>().ToArray();
        // + 0f: −0 prints as 0, as Python prints a loss of exactly zero
        var shown = values.Take(max).Select(v => (v + 0f).ToString(format, CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", shown) + (values.Length > max ? ", …" : "") + "]";
    }
}
