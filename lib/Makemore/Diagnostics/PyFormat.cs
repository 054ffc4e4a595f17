using System.Numerics;
using System.Text;

namespace Makemore.Diagnostics;

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
}
