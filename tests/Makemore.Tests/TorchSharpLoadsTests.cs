using Makemore.Notebook;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>TorchSharp's native library loads on this OS (on Debian 12 only thanks to the build's patch) and
/// computes; the notebook prelude is harmless outside a notebook.</summary>
[Collection(InProcessTorch.Name)]
public class TorchSharpLoadsTests
{
    [Fact]
    public void SeededRandnDrawsThePyTorchNumbers()
    {
        var g = new Generator(2147483647UL);
        using var C = randn(27, 10, generator: g);
        float[] first = C.reshape(-1).data<float>().Take(5).ToArray();
        // PyTorch's first five draws for this seed (the lecture's C starts with them)
        Assert.Equal(new[] { 1.56736195f, -0.23729232f, -0.02738461f, -1.10077941f, 0.28588146f }, first,
                     new FloatTolerance(1e-7f));
    }

    [Fact]
    public void AutogradComputesAGradient()
    {
        using var x = tensor(new[] { 1.0f, 2.0f, 3.0f }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 2f, 4f, 6f }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void TheNativeLibraryLoadsBecauseTheSystemHasGlibcxx3432OrTheCacheCopyMarksItWeak()
    {
        // TorchSharp is loaded here (the tests above computed with it); on a system without GLIBCXX_3.4.32 that is
        // only possible with the build's patch on the package cache's copy, which the notebooks load too.
        using var t = ones(2);
        Assert.Equal(2f, t.sum().item<float>());
        string version = RepoFiles.PackageVersions()["TorchSharp-cpu"];
        string native = Path.Combine(RepoFiles.NuGetPackages, "torchsharp", version, "runtimes", "linux-x64", "native",
                                     "libLibTorchSharp.so");
        Assert.True(File.Exists(native), $"{native} is missing: the tests run on linux-x64 with the package cache");
        ushort? flags = ElfVersionNeeds.Flags(File.ReadAllBytes(native), "GLIBCXX_3.4.32");
        bool weak = flags is ushort f && (f & 2) != 0;
        Assert.True(weak || ElfVersionNeeds.SystemLibstdcxxProvides("GLIBCXX_3.4.32"),
                    $"{native}: GLIBCXX_3.4.32 is not marked weak (flags {flags}) and the system's libstdc++ lacks it");
    }

    [Fact]
    public void PreludeIsSafeToCallTwiceAndUsesOneThread()
    {
        var first = Prelude.Setup();
        var second = Prelude.Setup();
        Assert.Equal(1, second.Threads);
        Assert.Equal(RepoFiles.PackageVersions()["TorchSharp-cpu"], first.TorchSharp);
        Assert.StartsWith("2.10.0", first.LibTorch);
        Assert.Throws<ArgumentOutOfRangeException>(() => Prelude.Setup(threads: 0));
    }
}

/// <summary>Compares floats within an absolute tolerance.</summary>
public sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(float f) => 0;
}
