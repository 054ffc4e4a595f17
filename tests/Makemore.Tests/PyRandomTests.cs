
namespace Makemore.Tests;

/// <summary>PyRandom reproduces CPython's random.seed(42) / getrandbits / shuffle (the lecture's data preparation).</summary>
public class PyRandomTests
{
    [Fact]
    public void Seed42GivesCPythonsFirstFiveOutputs()
    {
        var rng = new PyRandom(42);
        uint[] first = Enumerable.Range(0, 5).Select(_ => rng.NextUInt32()).ToArray();
        Assert.Equal(new uint[] { 2746317213, 478163327, 107420369, 3184935163, 1181241943 }, first);
    }

    [Fact]
    public void NegativeSeedIsTheSameAsItsAbsoluteValue()
    {
        var a = new PyRandom(-42);
        var b = new PyRandom(42);
        for (int i = 0; i < 10; i++) Assert.Equal(b.NextUInt32(), a.NextUInt32());
    }

    [Fact]
    public void ShuffleOfTheNamesDrawsTheLecturesFirstIndices()
    {
        // shuffle() on 32033 words calls _randbelow(i + 1) for i = 32032, 32031, ...
        var rng = new PyRandom(42);
        int[] j = Enumerable.Range(0, 5).Select(k => rng.RandBelow(32032 - k + 1)).ToArray();
        Assert.Equal(new[] { 20952, 3648, 819, 24299, 9012 }, j);
    }

    [Fact]
    public void RandBelowStaysInRangeAndOneIsAlwaysZero()
    {
        var rng = new PyRandom(7);
        for (int n = 1; n < 200; n++)
        {
            int r = rng.RandBelow(n);
            Assert.InRange(r, 0, n - 1);
        }
        Assert.Equal(0, rng.RandBelow(1));
        Assert.InRange(rng.RandBelow(int.MaxValue), 0, int.MaxValue - 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void RandBelowRejectsNonPositiveN(int n) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PyRandom(42).RandBelow(n));

    [Fact]
    public void ShuffleIsAPermutationAndDeterministic()
    {
        var a = Enumerable.Range(0, 100).ToList();
        var b = Enumerable.Range(0, 100).ToList();
        new PyRandom(1).Shuffle(a);
        new PyRandom(1).Shuffle(b);
        Assert.Equal(a, b);
        Assert.NotEqual(Enumerable.Range(0, 100), a);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
    }

    [Fact]
    public void ShuffleOfEmptyAndSingleListsDrawsNothing()
    {
        var rng = new PyRandom(42);
        rng.Shuffle(new List<int>());
        rng.Shuffle(new List<int> { 5 });
        Assert.Equal(2746317213u, rng.NextUInt32()); // still the first output
    }
}
