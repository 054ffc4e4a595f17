namespace Makemore.Tests;

/// <summary>
/// The tests that run TorchSharp in this process, one at a time. Two reasons:
/// <list type="bullet">
/// <item>TorchSharp 0.107 makes a <c>Scalar</c> for every call that takes one (<c>a + b</c> is <c>add(b, alpha: 1)</c>)
/// and does not keep it alive across the native call, so a collection started by another thread in that moment can
/// finalize it mid-call: the op fails with libtorch's "Expected false to be true" from <c>Scalar::toFloat</c>. With
/// one test thread doing TorchSharp work, no other thread allocates much while it runs.</item>
/// <item>Some set the trainer's process-wide hooks (<c>Trainer.Monitor</c>, the stop button's token) or run the
/// prelude, which sets them.</item>
/// </list>
/// The notebook execution tests run the notebooks in processes of their own, beside this collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessTorch
{
    public const string Name = "TorchSharp in this process";
}
