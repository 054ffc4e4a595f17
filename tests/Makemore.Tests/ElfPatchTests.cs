namespace Makemore.Tests;

/// <summary>The build step that makes TorchSharp load on Debian 12 (lib/build/ElfVersionNeeds.cs), on a copy of the
/// real libLibTorchSharp.so from the package cache.</summary>
public class ElfPatchTests : IDisposable
{
    const string Version = "GLIBCXX_3.4.32";
    readonly string dir = Directory.CreateTempSubdirectory("elfpatch").FullName;
    readonly string original = Path.Combine(RepoFiles.NuGetPackages, "torchsharp",
        RepoFiles.PackageVersions()["TorchSharp-cpu"], "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // The cache copy is already patched by the build: reset the flag to what the package ships (0) first.
    string UnpatchedCopy()
    {
        byte[] elf = File.ReadAllBytes(original);
        int offset = ElfVersionNeeds.FlagsOffset(elf, Version) ?? throw new InvalidDataException($"{original} has no {Version} need");
        elf[offset] = 0; elf[offset + 1] = 0;
        string copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.WriteAllBytes(copy, elf);
        return copy;
    }

    [Fact]
    public void MarksOnlyThatEntryWeakAndIsIdempotent()
    {
        string copy = UnpatchedCopy();
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal((ushort)0, ElfVersionNeeds.Flags(before, Version));

        Assert.Equal("patched", ElfVersionNeeds.MarkWeak(copy, Version));
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal((ushort)2, ElfVersionNeeds.Flags(after, Version));        // VER_FLG_WEAK
        int offset = ElfVersionNeeds.FlagsOffset(after, Version)!.Value;
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { offset }, changed);                                  // one byte, nothing else

        Assert.Equal("already weak", ElfVersionNeeds.MarkWeak(copy, Version));
        Assert.Equal(after, File.ReadAllBytes(copy));
        Assert.Empty(Directory.GetFiles(dir, "*.weak-*"));                         // no temporary file left
    }

    [Fact]
    public void OtherVersionNeedsAreLeftAlone()
    {
        byte[] elf = File.ReadAllBytes(original);
        Assert.Equal((ushort)0, ElfVersionNeeds.Flags(elf, "GLIBCXX_3.4.19"));
        Assert.Null(ElfVersionNeeds.Flags(elf, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void NonElfFilesAreAbsentNotCorrupted()
    {
        string text = Path.Combine(dir, "not-elf.so");
        File.WriteAllText(text, "hello, not an ELF file");
        Assert.Equal("absent", ElfVersionNeeds.MarkWeak(text, Version));
        Assert.Equal("hello, not an ELF file", File.ReadAllText(text));
    }
}
