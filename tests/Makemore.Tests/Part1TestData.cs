using TorchSharp;

namespace Makemore.Tests;

/// <summary>The real data set, loaded once for the part-1 tests, with TorchSharp on one thread (the machine is
/// shared, and one thread is also what the notebooks use).</summary>
static class Part1TestData
{
    static readonly Lazy<Dataset> data = new(() =>
    {
        torch.set_num_threads(1);
        return Dataset.Load(Dataset.FindDataFile());
    });

    public static Dataset Data => data.Value;
}

static class Part1TensorAssertions
{
    /// <summary>Same shape and every element bit-equal (TorchSharp's <c>equal</c> returns a tensor).</summary>
    public static bool Exactly(this torch.Tensor a, torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
