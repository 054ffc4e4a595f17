using System.Security.Cryptography;
using TorchSharp;

namespace Makemore.Tests;

/// <summary>The dataset, vocabulary and split equal the lecture's (the lecture's data preparation).</summary>
[Collection(InProcessTorch.Name)]
public class DatasetTests
{
    // Loading the real data takes a moment; share one instance across the tests of this class.
    static readonly Lazy<Dataset> Real = new(() => Dataset.Load(Dataset.FindDataFile()));

    [Fact]
    public void NamesFileIsTheLecturesFile()
    {
        string path = Dataset.FindDataFile();
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
                     Convert.ToHexStringLower(SHA256.HashData(bytes)));
        string text = File.ReadAllText(path);
        Assert.Equal(32033, text.Split('\n').Length); // no trailing newline, so 32032 '\n's
        Assert.False(text.EndsWith('\n'));
    }

    [Fact]
    public void VocabularyIsDotThenAToZ()
    {
        var vocab = Real.Value.Vocab;
        Assert.Equal(27, vocab.Size);
        Assert.Equal(0, vocab.Stoi['.']);
        Assert.Equal(1, vocab.Stoi['a']);
        Assert.Equal(26, vocab.Stoi['z']);
        Assert.Equal('y', vocab.Itos[25]);
        Assert.Equal(".abcdefghijklmnopqrstuvwxyz", vocab.Decode(Enumerable.Range(0, 27)));
    }

    [Fact]
    public void ShuffledWordsAreTheLecturesOrder()
    {
        var shuffled = Real.Value.ShuffledWords;
        Assert.Equal(32033, shuffled.Count);
        Assert.Equal(["yuheng", "diondre", "xavien", "jori", "juanluis", "erandi", "phia", "samatha", "phoenix", "emmelynn"],
                     shuffled.Take(10));
        Assert.Equal(["sira", "theon", "opal", "zaylynn", "yovani"], shuffled.TakeLast(5));
        Assert.Equal("emma", Real.Value.Words[0]); // the file order is kept too
    }

    [Fact]
    public void SplitSizesAreTheLectures()
    {
        var ds = Real.Value;
        Assert.Equal(25626, ds.TrainWords.Count);
        Assert.Equal(3203, ds.DevWords.Count);
        Assert.Equal(3204, ds.TestWords.Count);
        Assert.Equal(ds.ShuffledWords, ds.TrainWords.Concat(ds.DevWords).Concat(ds.TestWords));
    }

    [Fact]
    public void TensorShapesAndDtypesAreTheLectures()
    {
        var ds = Real.Value;
        Assert.Equal(new long[] { 182625, 3 }, ds.Xtr.shape);
        Assert.Equal(new long[] { 182625 }, ds.Ytr.shape);
        Assert.Equal(new long[] { 22655, 3 }, ds.Xdev.shape);
        Assert.Equal(new long[] { 22655 }, ds.Ydev.shape);
        Assert.Equal(new long[] { 22866, 3 }, ds.Xte.shape);
        Assert.Equal(new long[] { 22866 }, ds.Yte.shape);
        Assert.Equal(torch.ScalarType.Int64, ds.Xtr.dtype);
        Assert.Equal(torch.ScalarType.Int64, ds.Ytr.dtype);
        Assert.Equal("32033 words, vocab 27, block 3: Xtr [182625, 3], Xdev [22655, 3], Xte [22866, 3]",
                     ds.ToString());
    }

    [Fact]
    public void FirstTrainingExamplesAreTheLectures()
    {
        var ds = Real.Value;
        long[] first = ds.Xtr[..5].reshape(-1).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 25, 0, 25, 21, 25, 21, 8, 21, 8, 5 }, first);
        // "yuheng.": targets y u h e n g .
        long[] targets = ds.Ytr[..7].data<long>().ToArray();
        Assert.Equal(new long[] { 25, 21, 8, 5, 14, 7, 0 }, targets);
    }

    [Fact]
    public void BuildExamplesByHand()
    {
        var vocab = Vocabulary.FromWords(["ab"]);
        Assert.Equal(3, vocab.Size);
        var (X, Y) = Dataset.BuildExamples(["ab"], vocab, blockSize: 2);
        Assert.Equal(new long[] { 0, 0, /**/ 0, 1, /**/ 1, 2 }, X);
        Assert.Equal(new long[] { 1, 2, 0 }, Y);
    }

    [Fact]
    public void BuildExamplesRestartsTheContextForEachWord()
    {
        var vocab = Vocabulary.FromWords(["ab", "b"]);
        var (X, Y) = Dataset.BuildExamples(["ab", "b"], vocab, blockSize: 1);
        Assert.Equal(new long[] { 0, 1, 2, /**/ 0, 2 }, X);
        Assert.Equal(new long[] { 1, 2, 0, /**/ 2, 0 }, Y);
    }

    [Fact]
    public void BuildExamplesRejectsBadBlockSizeAndUnknownCharacters()
    {
        var vocab = Vocabulary.FromWords(["ab"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.BuildExamples(["ab"], vocab, 0));
        var e = Assert.Throws<KeyNotFoundException>(() => Dataset.BuildExamples(["abc"], vocab, 3));
        Assert.Contains("'c'", e.Message);
    }

    [Fact]
    public void VocabularyEncodesAndDecodes()
    {
        var vocab = Vocabulary.FromWords(["cab", "bad"]);
        Assert.Equal(5, vocab.Size); // . a b c d
        Assert.Equal(3, vocab.Encode('c'));
        Assert.Equal('d', vocab.Decode(4));
        Assert.Equal("bad.", vocab.Decode([2, 1, 4, 0]));
        Assert.Contains("'z'", Assert.Throws<KeyNotFoundException>(() => vocab.Encode('z')).Message);
        Assert.Contains("9", Assert.Throws<KeyNotFoundException>(() => vocab.Decode(9)).Message);
    }

    [Fact]
    public void FindDataFileSaysWhereItLooked()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Dataset.FindDataFile("no-such-file.txt"));
        Assert.Contains("data/no-such-file.txt", e.Message);
        Assert.Contains(Directory.GetCurrentDirectory(), e.Message);
    }
}
