namespace Makemore.Data;

/// <summary>
/// The pieces of CPython's <c>random.Random</c> the lecture uses: <c>seed(int)</c>, <c>getrandbits</c>,
/// <c>_randbelow</c> and <c>shuffle</c>, ported exactly. The lecture splits the words with
/// <c>random.seed(42); random.shuffle(words)</c>, and <see cref="System.Random"/> cannot reproduce that order,
/// so we carry our own Mersenne Twister (MT19937, as in CPython's <c>_randommodule.c</c>).
/// </summary>
internal sealed class PyRandom
{
    const int N = 624;
    const int M = 397;
    const uint MatrixA = 0x9908b0dfU;
    const uint UpperMask = 0x80000000U;
    const uint LowerMask = 0x7fffffffU;

    readonly uint[] mt = new uint[N];
    int mti = N + 1;

    /// <summary>Seeds like Python's <c>random.seed(seed)</c> for an int: the absolute value, split into
    /// 32-bit words (least significant first), goes through <c>init_by_array</c>. For 42 that is
    /// <c>init_by_array([42])</c>, not <c>init_genrand(42)</c>.</summary>
    public PyRandom(int seed)
    {
        // |int.MinValue| = 2^31 still fits in one 32-bit word, so every int is a one-word key
        // (CPython also uses the key [0] for seed 0).
        uint magnitude = (uint)Math.Abs((long)seed);
        InitByArray([magnitude]);
    }

    void InitGenrand(uint s)
    {
        mt[0] = s;
        for (mti = 1; mti < N; mti++)
            mt[mti] = 1812433253U * (mt[mti - 1] ^ (mt[mti - 1] >> 30)) + (uint)mti;
    }

    void InitByArray(uint[] key)
    {
        InitGenrand(19650218U);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint)j; // non linear
            i++; j++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint)i; // non linear
            i++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        }
        mt[0] = 0x80000000U; // MSB is 1, assuring a non-zero initial array
    }

    /// <summary>The next raw 32-bit output of the generator (CPython's <c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        uint y;
        if (mti >= N) // generate N words at one time
        {
            int kk;
            for (kk = 0; kk < N - M; kk++)
            {
                y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0U);
            }
            for (; kk < N - 1; kk++)
            {
                y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
                mt[kk] = mt[kk + (M - N)] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0U);
            }
            y = (mt[N - 1] & UpperMask) | (mt[0] & LowerMask);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0U);
            mti = 0;
        }

        y = mt[mti++];
        // tempering
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>A uniform int in [0, n), exactly as CPython's <c>_randbelow_with_getrandbits</c>: draw
    /// k = bit_length(n) bits at a time and reject values ≥ n. (Note n = 1 still consumes draws.)</summary>
    public int RandBelow(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "RandBelow needs n > 0.");
        int k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n); // n.bit_length(), 1..31
        uint r = NextUInt32() >> (32 - k); // getrandbits(k) for k <= 32 uses a single 32-bit output
        while (r >= (uint)n)
            r = NextUInt32() >> (32 - k);
        return (int)r;
    }

    /// <summary>Shuffles in place like Python's <c>random.shuffle(x)</c> (Fisher–Yates from the end).</summary>
    public void Shuffle<T>(IList<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        for (int i = x.Count - 1; i > 0; i--)
        {
            int j = RandBelow(i + 1);
            (x[i], x[j]) = (x[j], x[i]);
        }
    }
}
