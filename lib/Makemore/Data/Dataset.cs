using TorchSharp;

namespace Makemore.Data;

/// <summary>The lecture's <c>build_dataset</c> and its 80/10/10 split: the words, shuffled once with Python's
/// <c>random.seed(42)</c>, cut into train/dev/test, and turned into (context, next character) examples.</summary>
public sealed class Dataset
{
    /// <summary>The words in file order.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The words after <c>random.seed(seed); random.shuffle(words)</c>.</summary>
    public IReadOnlyList<string> ShuffledWords { get; }

    internal IReadOnlyList<string> TrainWords { get; }
    internal IReadOnlyList<string> DevWords { get; }
    internal IReadOnlyList<string> TestWords { get; }

    public Vocabulary Vocab { get; }

    /// <summary>Context length: how many characters we take to predict the next one.</summary>
    public int BlockSize { get; }

    /// <summary>Training contexts, int64 [N, BlockSize], and their next-character targets, int64 [N].</summary>
    public torch.Tensor Xtr { get; }
    public torch.Tensor Ytr { get; }

    /// <summary>Dev (validation) split, used to tune hyperparameters.</summary>
    public torch.Tensor Xdev { get; }
    public torch.Tensor Ydev { get; }

    /// <summary>Test split, evaluated rarely.</summary>
    public torch.Tensor Xte { get; }
    public torch.Tensor Yte { get; }

    Dataset(IReadOnlyList<string> words, IReadOnlyList<string> shuffled, Vocabulary vocab, int blockSize)
    {
        Words = words;
        ShuffledWords = shuffled;
        Vocab = vocab;
        BlockSize = blockSize;

        // int(0.8*len(words)) in Python: double arithmetic, truncated.
        int n1 = (int)(0.8 * shuffled.Count);
        int n2 = (int)(0.9 * shuffled.Count);
        // The loop draws minibatches from the training split and split_loss reads the others: none may be empty.
        if (n1 < 1 || n2 - n1 < 1 || shuffled.Count - n2 < 1)
            throw new ArgumentException(
                $"{shuffled.Count} name(s) make splits of {n1}/{n2 - n1}/{shuffled.Count - n2} (train/dev/test, 80/10/10): " +
                "every split needs at least one name, which takes at least 9 names", nameof(shuffled));
        TrainWords = shuffled.Take(n1).ToArray();
        DevWords = shuffled.Skip(n1).Take(n2 - n1).ToArray();
        TestWords = shuffled.Skip(n2).ToArray();

        (Xtr, Ytr) = ToTensors(TrainWords, vocab, blockSize);
        (Xdev, Ydev) = ToTensors(DevWords, vocab, blockSize);
        (Xte, Yte) = ToTensors(TestWords, vocab, blockSize);
    }

    /// <summary>Reads the names, builds the vocabulary, shuffles a copy of the words once with
    /// <see cref="PyRandom"/> (as <c>random.seed(seed); random.shuffle(words)</c>) and builds the three splits.</summary>
    public static Dataset Load(string namesPath, int blockSize = 3, int seed = 42)
    {
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "blockSize must be ≥ 1.");
        IReadOnlyList<string> words = Names.Read(namesPath);
        var vocab = Vocabulary.FromWords(words);
        var shuffled = words.ToList();
        new PyRandom(seed).Shuffle(shuffled);
        return new Dataset(words, shuffled, vocab, blockSize);
    }

    /// <summary>
    /// The examples of <c>build_dataset</c> as plain arrays. For each word the context starts as all dots;
    /// for every character of <c>word + '.'</c> we emit (context, that character) and then slide the context
    /// one step left, appending the character. A word of length L gives L+1 examples.
    /// X is row-major [N * blockSize], Y is [N].
    /// </summary>
    internal static (long[] X, long[] Y) BuildExamples(IEnumerable<string> words, Vocabulary vocab, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(vocab);
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "blockSize must be ≥ 1.");

        var X = new List<long>();
        var Y = new List<long>();
        var context = new long[blockSize];
        foreach (string w in words)
        {
            Array.Clear(context); // [0] * block_size: the name starts after a run of dots
            foreach (char ch in w + Vocabulary.Dot)
            {
                long ix = vocab.Encode(ch);
                X.AddRange(context);
                Y.Add(ix);
                // context = context[1:] + [ix]
                Array.Copy(context, 1, context, 0, blockSize - 1);
                context[blockSize - 1] = ix;
            }
        }
        return (X.ToArray(), Y.ToArray());
    }

    static (torch.Tensor X, torch.Tensor Y) ToTensors(IEnumerable<string> words, Vocabulary vocab, int blockSize)
    {
        var (x, y) = BuildExamples(words, vocab, blockSize);
        // Detached from any dispose scope: the dataset lives as long as the notebook, not as long as a loop step.
        var X = torch.tensor(x, new long[] { y.Length, blockSize }, torch.int64).DetachFromDisposeScope();
        var Y = torch.tensor(y, new long[] { y.Length }, torch.int64).DetachFromDisposeScope();
        return (X, Y);
    }

    /// <summary>
    /// Finds <c>data/&lt;fileName&gt;</c> by walking up from the current directory: notebooks run with their
    /// own folder as working directory, tests from deep inside bin/, and both should find the repository's data.
    /// </summary>
    public static string FindDataFile(string fileName = "names.txt")
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        string start = Directory.GetCurrentDirectory();
        var tried = new List<string>();
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", fileName);
            if (File.Exists(candidate)) return candidate;
            tried.Add(candidate);
        }
        throw new FileNotFoundException(
            $"could not find data/{fileName} in {start} or any directory above it; looked at: {string.Join(", ", tried)}",
            fileName);
    }

    static string Shape(torch.Tensor t) => $"[{string.Join(", ", t.shape)}]";

    public override string ToString() =>
        $"{Words.Count} words, vocab {Vocab.Size}, block {BlockSize}: " +
        $"Xtr {Shape(Xtr)}, Xdev {Shape(Xdev)}, Xte {Shape(Xte)}";
}
