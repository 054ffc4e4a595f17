namespace Makemore.Training;

/// <summary>
/// Step counts for notebooks. The lecture trains for 200000 steps; the test suite executes every notebook with a
/// small budget by setting <c>MAKEMORE_STEPS</c>, which caps every count read through here.
/// </summary>
public static class Budget
{
    public const string Variable = "MAKEMORE_STEPS";

    /// <summary><paramref name="lectureSteps"/>, or the <c>MAKEMORE_STEPS</c> cap when that is smaller.</summary>
    public static int Steps(int lectureSteps) => Steps(lectureSteps, Environment.GetEnvironmentVariable(Variable));

    /// <summary><paramref name="lectureSteps"/> capped by <paramref name="cap"/> (the variable's text).</summary>
    public static int Steps(int lectureSteps, string? cap)
    {
        if (string.IsNullOrWhiteSpace(cap)) return lectureSteps;
        if (!int.TryParse(cap, out int max) || max < 1)
            throw new FormatException($"{Variable}='{cap}' is not a positive whole number of steps");
        return Math.Min(lectureSteps, max);
    }
}
