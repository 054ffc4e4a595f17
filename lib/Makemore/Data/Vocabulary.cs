namespace Makemore.Data;

/// <summary>The lecture's <c>stoi</c>/<c>itos</c>: '.' (start and end of a name) is 0, then the sorted set of
/// characters in the words is 1..n. For names.txt that is a..z = 1..26, 27 tokens.</summary>
public sealed class Vocabulary
{
    /// <summary>The special token that both starts the context and ends every name.</summary>
    public const char Dot = '.';

    readonly Dictionary<char, int> stoi;
    readonly Dictionary<int, char> itos;

    Vocabulary(IReadOnlyList<char> chars)
    {
        stoi = new Dictionary<char, int> { [Dot] = 0 };
        for (int i = 0; i < chars.Count; i++) stoi[chars[i]] = i + 1;
        itos = stoi.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    /// <summary><c>chars = sorted(list(set(''.join(words))))</c>, then '.' in front.</summary>
    public static Vocabulary FromWords(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var set = new SortedSet<char>(Comparer<char>.Default); // ordinal, like Python's sorted() on str
        foreach (string w in words) set.UnionWith(w);
        if (set.Contains(Dot))
            throw new ArgumentException($"words may not contain '{Dot}': it is the start/end token", nameof(words));
        return new Vocabulary(set.ToList());
    }

    /// <summary>Number of tokens, '.' included (27 for names.txt).</summary>
    public int Size => stoi.Count;

    /// <summary>Character → index.</summary>
    internal IReadOnlyDictionary<char, int> Stoi => stoi;

    /// <summary>Index → character.</summary>
    public IReadOnlyDictionary<int, char> Itos => itos;

    /// <summary>The index of one character.</summary>
    public int Encode(char c) =>
        stoi.TryGetValue(c, out int i) ? i
        : throw new KeyNotFoundException(
            $"character '{c}' (U+{(int)c:X4}) is not in the vocabulary ({Size} tokens: \"{string.Concat(stoi.Keys)}\")");

    /// <summary>The character of one index.</summary>
    public char Decode(int i) =>
        itos.TryGetValue(i, out char c) ? c
        : throw new KeyNotFoundException($"index {i} is not in the vocabulary (valid: 0..{Size - 1})");

    /// <summary>The string of a sequence of indices, e.g. a sampled name.</summary>
    public string Decode(IEnumerable<int> ix)
    {
        ArgumentNullException.ThrowIfNull(ix);
        return string.Concat(ix.Select(Decode));
    }

    public override string ToString() => $"Vocabulary({Size}: \"{string.Concat(stoi.Keys)}\")";
}
