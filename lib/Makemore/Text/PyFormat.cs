using System.Numerics;
using System.Text;

namespace Makemore.Text;

/// <summary>
/// Python's <c>%f</c> and <c>%e</c> number formats, digit for digit, so the diagnostics print what the lecture
/// printed. Python rounds the exact binary value correctly, ties to even; the digits here come from the exact decimal
/// expansion of the double, so they do too. (A float32 statistic is widened to double first, as Python does.)
/// </summary>
public static class PyFormat
{
    /// <summary><c>'%.{decimals}f'</c>, or <c>'%+.{decimals}f'</c> with <paramref name="plus"/>.</summary>
    public static string Fixed(double value, int decimals = 6, bool plus = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (!double.IsFinite(value)) return NonFinite(value, plus);
        var (negative, digits, pointPos) = Exact(value);
        // Keep pointPos + decimals digits (those left of the rounding position).
        var (kept, carried) = RoundDigits(digits, pointPos + decimals);
        int intLen = pointPos + (carried ? 1 : 0);
        string all = kept.PadLeft(Math.Max(kept.Length, 1), '0');
        // all has intLen + decimals digits (intLen may be ≤ 0: pad zeros on the left).
        int needed = Math.Max(intLen, 1) + decimals;
        all = all.PadLeft(needed, '0');
        string intPart = all[..(all.Length - decimals)];
        string fracPart = all[(all.Length - decimals)..];
        intPart = intPart.TrimStart('0');
        if (intPart.Length == 0) intPart = "0";
        var sb = new StringBuilder();
        sb.Append(negative ? "-" : plus ? "+" : "");
        sb.Append(intPart);
        if (decimals > 0) sb.Append('.').Append(fracPart);
        return sb.ToString();
    }

    /// <summary><c>'%.{decimals}e'</c> (default <c>'%e'</c>): one digit, the decimals, then <c>e±XX</c> with at
    /// least two exponent digits, e.g. <c>3.457423e-03</c>.</summary>
    public static string Exponent(double value, int decimals = 6, bool plus = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (!double.IsFinite(value)) return NonFinite(value, plus);
        var (negative, digits, pointPos) = Exact(value);
        string sign = negative ? "-" : plus ? "+" : "";
        string mantissa;
        int exponent;
        int firstNonZero = digits.IndexOfAny("123456789".ToCharArray());
        if (firstNonZero < 0)
        {
            mantissa = "0" + (decimals > 0 ? "." + new string('0', decimals) : "");
            exponent = 0;
        }
        else
        {
            string significant = digits[firstNonZero..];
            exponent = pointPos - firstNonZero - 1;
            var (kept, carried) = RoundDigits(significant, decimals + 1);
            if (carried) { exponent++; kept = kept[..(decimals + 1)]; }
            mantissa = kept[..1] + (decimals > 0 ? "." + kept[1..] : "");
        }
        string exp = Math.Abs(exponent).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2, '0');
        return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{exp}";
    }

    /// <summary>Python's <c>'%{width}s' % (tuple(shape),)</c> for a tensor shape: <c>"(27, 10)"</c>, right-aligned;
    /// a 1-tuple prints as <c>"(27,)"</c>.</summary>
    public static string Shape(IReadOnlyList<long> shape, int width = 0)
    {
        string s = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        return s.PadLeft(width);
    }

    /// <summary>
    /// Python's <c>format % (args...)</c> for the conversions the lecture's diagnostics use: <c>%d</c>, <c>%s</c>,
    /// <c>%f</c>, <c>%e</c> with a width, a <c>+</c> flag and a precision, and <c>%%</c>. A 0-d tensor (<c>t.mean()</c>)
    /// is read as the float32 Python's <c>%f</c> reads; a shape (<c>long[]</c>, <c>p.shape</c>) prints as the tuple
    /// <c>(27, 10)</c>. E.g. <c>Format("layer %d (%10s): mean %+.2f", i, layer.Kind, t.mean())</c>.
    /// </summary>
    public static string Format(string format, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(format);
        args ??= [null];
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { sb.Append(format[i]); continue; }
            int start = i++;
            if (i < format.Length && format[i] == '%') { sb.Append('%'); continue; }
            bool plus = false, left = false;
            for (; i < format.Length && format[i] is '+' or '-'; i++)
                if (format[i] == '+') plus = true; else left = true;
            int width = 0;
            for (; i < format.Length && char.IsAsciiDigit(format[i]); i++) width = width * 10 + (format[i] - '0');
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                int p = 0;
                for (i++; i < format.Length && char.IsAsciiDigit(format[i]); i++) p = p * 10 + (format[i] - '0');
                precision = p;
            }
            if (i >= format.Length) throw new FormatException($"incomplete format at position {start}: \"{format[start..]}\"");
            char conversion = format[i];
            if (next >= args.Length) throw new FormatException($"not enough arguments for format string (needs more than {args.Length})");
            object? arg = args[next++];
            string text = conversion switch
            {
                'd' or 'i' => Integer(arg, plus),
                's' => arg switch { long[] shape => Shape(shape), null => "None", _ => arg.ToString() ?? "" },
                'f' or 'F' => Fixed(Number(arg), precision ?? 6, plus),
                'e' => Exponent(Number(arg), precision ?? 6, plus),
                _ => throw new FormatException($"unsupported format character '{conversion}' at position {start}"),
            };
            sb.Append(left ? text.PadRight(width) : text.PadLeft(width));
        }
        if (next < args.Length) throw new FormatException("not all arguments converted during string formatting");
        return sb.ToString();
    }

    static double Number(object? arg) => arg switch
    {
        TorchSharp.torch.Tensor t => t.to(TorchSharp.torch.float32).item<float>(),
        float f => f,
        double d => d,
        int i => i,
        long l => l,
        _ => throw new FormatException($"a number is required, not {arg?.GetType().Name ?? "null"}"),
    };

    static string Integer(object? arg, bool plus)
    {
        long value = arg switch
        {
            int i => i,
            long l => l,
            TorchSharp.torch.Tensor t => t.to(TorchSharp.torch.int64).item<long>(),
            double or float => (long)Math.Truncate(Number(arg)),
            _ => throw new FormatException($"%d format: a number is required, not {arg?.GetType().Name ?? "null"}"),
        };
        return (plus && value >= 0 ? "+" : "") + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    static string NonFinite(double value, bool plus) =>
        double.IsNaN(value) ? (plus ? "+nan" : "nan") : value > 0 ? (plus ? "+inf" : "inf") : "-inf";

    /// <summary>The exact decimal expansion of |value|: its digits and where the decimal point falls (digits[..pointPos]
    /// is the integer part; pointPos may exceed the length or be ≤ 0).</summary>
    static (bool Negative, string Digits, int PointPos) Exact(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exp = (int)((bits >> 52) & 0x7FF);
        long frac = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mant = exp == 0 ? frac : frac | (1L << 52);
        int e2 = (exp == 0 ? 1 : exp) - 1075;              // |value| = mant · 2^e2
        if (mant.IsZero) return (negative, "0", 1);
        if (e2 >= 0)
        {
            string s = (mant << e2).ToString();
            return (negative, s, s.Length);
        }
        // mant / 2^k = mant · 5^k / 10^k
        int k = -e2;
        string d = (mant * BigInteger.Pow(5, k)).ToString();
        return (negative, d, d.Length - k);
    }

    /// <summary>Rounds a digit string to its first <paramref name="keep"/> digits, ties to even. Returns the kept
    /// digits (length max(keep, 0), or one more when a carry ran off the front) and whether that carry happened.</summary>
    static (string Kept, bool Carried) RoundDigits(string digits, int keep)
    {
        if (keep < 0) return ("", false);                  // everything is below the rounding position, and < 0.5 of it
        if (digits.Length <= keep) return (digits.PadRight(keep, '0'), false);
        string head = digits[..keep];
        char next = digits[keep];
        bool restNonZero = digits.AsSpan(keep + 1).IndexOfAnyExcept('0') >= 0;
        bool roundUp = next > '5' || (next == '5' && (restNonZero || (head.Length > 0 && (head[^1] - '0') % 2 == 1)));
        if (!roundUp) return (head, false);
        var chars = head.ToCharArray();
        int i = chars.Length - 1;
        while (i >= 0 && chars[i] == '9') { chars[i] = '0'; i--; }
        if (i >= 0) { chars[i]++; return (new string(chars), false); }
        return ("1" + new string(chars), true);
    }

    /// <summary>A gain as the lecture writes it: "5/3" for the Kaiming tanh gain, else the number.</summary>
    public static string Gain(double gain) =>
        gain == 5.0 / 3 ? "5/3" : gain.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
