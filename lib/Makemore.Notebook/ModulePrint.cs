using System.Globalization;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;

namespace Makemore.Notebook;

/// <summary>
/// PyTorch's <c>print(module)</c> for TorchSharp modules, which have no such text of their own: the module's class
/// name, its settings in PyTorch's words (<c>Conv2d(64, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)</c>) and
/// its children as an indented tree, <c>(name): child</c>, in the order the module registered them.
/// </summary>
public static class ModulePrint
{
    /// <summary>The module as PyTorch's <c>repr</c> prints it: one line for a module without children, else one line
    /// per setting and child, indented by two spaces a level.</summary>
    public static string Repr(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        string extra = ExtraRepr(module);
        var lines = new List<string>();
        if (extra.Length > 0) lines.AddRange(extra.Split('\n'));
        int settings = lines.Count;
        foreach (var (name, child) in module.named_children())
            lines.Add($"({name}): " + Indent(Repr(child), 2));
        string head = Name(module) + "(";
        if (lines.Count == 0) return head + ")";
        if (settings == 1 && lines.Count == 1) return head + lines[0] + ")";
        return head + "\n  " + string.Join("\n  ", lines) + "\n)";
    }

    /// <summary>The module's own settings without its children, as PyTorch's <c>extra_repr()</c> prints them (an
    /// empty string for a module with none, or one this printer does not know).</summary>
    public static string ExtraRepr(torch.nn.Module module) => module switch
    {
        Convolution c => Conv(c),
        NormBase n => $"{n.num_features}, eps={Float(n.eps)}, momentum={(n.momentum is double m ? Float(m) : "None")}, " +
                      $"affine={Bool(n.affine)}, track_running_stats={Bool(n.track_running_stats)}",
        ReLU r => r.inplace ? "inplace=True" : "",
        // torchvision passes one int for each size of its max pooling; a size with equal entries prints as that int
        MaxPool2d p => $"kernel_size={IntOrTuple(p.kernel_size)}, stride={IntOrTuple(p.stride ?? p.kernel_size)}, " +
                       $"padding={IntOrTuple(p.padding)}, dilation={IntOrTuple(p.dilation)}, ceil_mode={Bool(p.ceil_mode)}",
        AdaptiveAvgPool2d p => $"output_size={Tuple(p.output_size)}",
        Linear l => $"in_features={l.in_features}, out_features={l.out_features}, bias={Bool(l.bias is not null)}",
        Flatten f => $"start_dim={f.start_dim}, end_dim={f.end_dim}",
        _ => "",
    };

    static string Conv(Convolution c)
    {
        var s = new StringBuilder($"{c.in_channels}, {c.out_channels}, kernel_size={Tuple(c.kernel_size)}, stride={Tuple(c.stride)}");
        if (c.padding is { } padding && padding.Any(p => p != 0)) s.Append($", padding={Tuple(padding)}");
        if (c.dilation.Any(d => d != 1)) s.Append($", dilation={Tuple(c.dilation)}");
        if (c.output_padding is { } op && op.Any(p => p != 0)) s.Append($", output_padding={Tuple(op)}");
        if (c.groups != 1) s.Append($", groups={c.groups}");
        if (c.bias is null) s.Append(", bias=False");
        if (c.padding_mode != PaddingModes.Zeros) s.Append($", padding_mode={c.padding_mode.ToString().ToLowerInvariant()}");
        return s.ToString();
    }

    // The .NET class name: TorchSharp's own name for a module can differ (a BatchNorm2d calls itself BatchNorm1d).
    static string Name(torch.nn.Module module)
    {
        string name = module.GetType().Name;
        int tick = name.IndexOf('`');                   // a generic class: Name`2
        return tick >= 0 ? name[..tick] : name;
    }

    static string Indent(string text, int spaces) => text.Replace("\n", "\n" + new string(' ', spaces));

    static string Bool(bool b) => b ? "True" : "False";

    /// <summary>A Python tuple: <c>(1, 1)</c>, and <c>(7,)</c> for one element.</summary>
    static string Tuple(IReadOnlyList<long> values) =>
        values.Count == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";

    static string IntOrTuple(IReadOnlyList<long>? values) =>
        values is null || values.Count == 0 ? "None" : values.All(v => v == values[0]) ? values[0].ToString() : Tuple(values);

    /// <summary>Python's <c>repr(float)</c>: the shortest digits that read back as the same double, in positional
    /// notation (with at least <c>.0</c>) when the decimal exponent is in [−4, 16), else as <c>1e-05</c>.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // .NET's "R" gives the shortest round-trip digits; read them back as digits and a decimal exponent
        var (digits, exponent) = Digits(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture));
        string sign = value < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16)
        {
            // digits d1 d2 … with the point after position exponent + 1
            int point = exponent + 1;
            string intPart, frac;
            if (point <= 0) { intPart = "0"; frac = new string('0', -point) + digits; }
            else if (point >= digits.Length) { intPart = digits + new string('0', point - digits.Length); frac = "0"; }
            else { intPart = digits[..point]; frac = digits[point..]; }
            return sign + intPart + "." + frac;
        }
        string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    // "1E-05" → ("1", -5); "0.1" → ("1", -1); "1234.5" → ("12345", 3): significant digits, no trailing zeros, and the
    // decimal exponent of the first one.
    static (string Digits, int Exponent) Digits(string s)
    {
        int exp = 0;
        int e = s.IndexOfAny(['E', 'e']);
        if (e >= 0) { exp = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture); s = s[..e]; }
        int dot = s.IndexOf('.');
        string intPart = dot >= 0 ? s[..dot] : s, frac = dot >= 0 ? s[(dot + 1)..] : "";
        string all = intPart + frac;
        int lead = all.TakeWhile(c => c == '0').Count();
        string digits = all[lead..].TrimEnd('0');
        int exponent = exp + intPart.Length - 1 - lead;
        return (digits.Length == 0 ? "0" : digits, exponent);
    }
}
