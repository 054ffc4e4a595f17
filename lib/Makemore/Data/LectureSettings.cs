namespace Makemore.Data;

/// <summary>
/// The lecture's settings, each defined here once: the seed of its generator, the sampling seed, tanh's gain, the
/// length of a run, the batch, and the steps where the learning rate drops from 0.1 to 0.01. The classes that use one
/// use them by name: nothing re-exports them.
/// </summary>
internal static class LectureSettings
{
    /// <summary><c>torch.Generator().manual_seed(2147483647)</c>.</summary>
    public const ulong Seed = 2147483647UL;

    /// <summary>Sampling names draws from a fresh generator seeded 2147483647 + 10.</summary>
    public const ulong SampleSeed = Seed + 10;

    /// <summary>tanh's gain, as the lecture writes it (what <c>torch.nn.init.calculate_gain('tanh')</c> returns).</summary>
    public const double TanhGain = 5.0 / 3;

    /// <summary>max_steps.</summary>
    public const int MaxSteps = 200_000;

    /// <summary>batch_size.</summary>
    public const int BatchSize = 32;

    /// <summary>lr 0.1 before this step, 0.01 from it on: part 1 (the two-layer MLP).</summary>
    public const int Part1DecayStep = 100_000;

    /// <summary>The same for part 2 (the deep net).</summary>
    public const int Part2DecayStep = 150_000;
}
