using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// Every TorchSharp operation the library, the notebooks and these tests call, given a deliberately bad input, must
/// raise an exception the caller can catch. TorchSharp 0.107's <c>matmul</c> does not (its native entry point lets
/// libtorch's error end the process: the project uses <c>mm</c>), nor does <c>Generator.set_state</c> (the library
/// checks the state first, <c>Trainer.SetState</c>); an operation with the same defect would end this test run, not
/// fail one test.
/// </summary>
[Collection(InProcessTorch.Name)]
public class NativeErrorsTests
{
    public static TheoryData<string> Operations() => new(BadCalls.Keys);

    static readonly Dictionary<string, Action> BadCalls = new()
    {
        ["mm"] = () => randn(32, 40).mm(randn(30, 100)),
        ["view"] = () => randn(32, 3, 10).view(7, -1),
        ["reshape"] = () => randn(10).reshape(3, 3),
        ["index (C[X])"] = () => _ = randn(27, 10)[tensor(new long[] { 27 })],
        ["index_select"] = () => randn(5, 3).index_select(0, tensor(new long[] { 9 })),
        ["cross_entropy"] = () => nn.functional.cross_entropy(randn(4, 27), tensor(new long[] { 1, 2, 3 })),
        ["cross_entropy (class)"] = () => nn.functional.cross_entropy(randn(2, 27), tensor(new long[] { 1, 30 })),
        ["mean (dim)"] = () => randn(3, 4).mean([5], keepdim: true),
        ["std (dim)"] = () => randn(3, 4).std(5, keepdim: true),
        ["var (dim)"] = () => randn(3, 4).var(5, keepdim: true),
        ["sum (dim)"] = () => randn(3, 4).sum(5),
        ["all (dim)"] = () => (randn(3, 4) > 0).all(5),
        ["max (dim)"] = () => randn(3, 4).max(5),
        ["softmax (dim)"] = () => nn.functional.softmax(randn(3, 4), dim: 5),
        ["narrow"] = () => randn(10, 3).narrow(0, 8, 5),
        ["repeat"] = () => randn(2, 3).repeat(2),
        ["flatten"] = () => randn(2, 3).flatten(3),
        ["add_"] = () => randn(3, 4).add_(randn(5, 6)),
        ["mul_"] = () => randn(3, 4).mul_(randn(5, 6)),
        ["copy_"] = () => randn(3, 4).copy_(randn(5, 6)),
        ["+ (broadcast)"] = () => _ = randn(3, 4) + randn(5, 6),
        ["eq (broadcast)"] = () => randn(3, 4).eq(randn(5, 6)),
        ["stack"] = () => stack([randn(3), randn(4)]),
        ["item"] = () => randn(3).item<float>(),
        ["backward (non-scalar)"] = () => randn(3, requires_grad: true).mul(2).backward(),
        ["randint"] = () => randint(5, 5, [3]),
        ["randn (size)"] = () => randn(-1, 3),
        ["zeros (size)"] = () => zeros(-1),
        ["tensor (shape)"] = () => tensor(new float[] { 1, 2, 3 }, [2, 2]),
        ["multinomial"] = () => multinomial(tensor(new float[] { -1, 2 }), 1),
        ["histogram"] = () => histogram(randn(10), 0, null, null, density: true),
        // the raw set_state ends the process on a bad state: the library goes through its checked SetState
        ["generator state (checked)"] = () => Makemore.Training.Trainer.SetState(new Generator(1), zeros(3)),
    };

    [Theory, MemberData(nameof(Operations))]
    public void ABadInputRaisesACatchableError(string operation)
    {
        using var scope = NewDisposeScope();
        Assert.ThrowsAny<Exception>(BadCalls[operation]);
    }
}
