
namespace Makemore.Tests;

public class BudgetTests
{
    [Theory]
    [InlineData(200_000, null, 200_000)]
    [InlineData(200_000, "", 200_000)]
    [InlineData(200_000, "300", 300)]
    [InlineData(1_000, "300000", 1_000)]       // a cap never lengthens a run
    public void CapsTheLectureStepCount(int lecture, string? cap, int expected) =>
        Assert.Equal(expected, Budget.Steps(lecture, cap));

    [Theory]
    [InlineData("ten")]
    [InlineData("0")]
    [InlineData("-5")]
    public void RejectsABadCapNamingTheVariable(string cap)
    {
        var e = Assert.Throws<FormatException>(() => Budget.Steps(200_000, cap));
        Assert.Contains("MAKEMORE_STEPS", e.Message);
        Assert.Contains(cap, e.Message);
    }
}
