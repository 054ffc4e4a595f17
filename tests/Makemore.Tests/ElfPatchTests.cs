namespace Makemore.Tests;

/// <summary>The build step that makes TorchSharp load on Debian 12 (.build/ElfVersionNeeds.cs), on a copy of the
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

    [Fact]
    public void OnlyTheMarkerSymbolBindsToTheVersionInThePinnedTorchSharp()
    {
        // The safety argument of the patch, checked on the file the build patches.
        byte[] elf = File.ReadAllBytes(original);
        ushort index = BitConverter.ToUInt16(elf, ElfVersionNeeds.FlagsOffset(elf, Version)!.Value + 2);   // vna_other
        Assert.Equal(["_ZSt21ios_base_library_initv"], ElfVersionNeeds.SymbolsBoundTo(elf, index));
        ushort older = BitConverter.ToUInt16(elf, ElfVersionNeeds.FlagsOffset(elf, "GLIBCXX_3.4.19")!.Value + 2);
        Assert.Equal(["_ZNSt6chrono3_V212steady_clock3nowEv"], ElfVersionNeeds.SymbolsBoundTo(elf, older));   // a real dependency
    }

    [Fact]
    public void RefusesWhenOtherSymbolsBindToTheVersionAndSaysWhich()
    {
        // A file whose GLIBCXX_3.4.32 entry carries the index that GLIBCXX_3.4.19's symbols use: real symbols need it.
        string copy = UnpatchedCopy();
        byte[] elf = File.ReadAllBytes(copy);
        int other = ElfVersionNeeds.FlagsOffset(elf, "GLIBCXX_3.4.19")!.Value + 2;
        int mine = ElfVersionNeeds.FlagsOffset(elf, Version)!.Value + 2;
        elf[mine] = elf[other];
        elf[mine + 1] = elf[other + 1];
        File.WriteAllBytes(copy, elf);

        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(copy, Version));
        Assert.Contains($"bind to {Version}", e.Message);
        Assert.Contains("_ZNSt6chrono3_V212steady_clock3nowEv", e.Message);
        Assert.Equal(elf, File.ReadAllBytes(copy));                               // untouched
    }

    [Fact]
    public void KeepsTheFileModeAndLeavesNoTemporaryFileWhenTheRenameFails()
    {
        string copy = UnpatchedCopy();
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead;
        File.SetUnixFileMode(copy, mode);
        byte[] before = File.ReadAllBytes(copy);

        Assert.Throws<IOException>(() => ElfVersionNeeds.MarkWeak(copy, Version, _ => throw new IOException("disk full")));
        Assert.Empty(Directory.GetFiles(dir, "*.weak-*"));
        Assert.Equal(before, File.ReadAllBytes(copy));

        Assert.Equal("patched", ElfVersionNeeds.MarkWeak(copy, Version));
        Assert.Equal(mode, File.GetUnixFileMode(copy));
    }

    /// <summary>A package cache that is read-only (a shared or image-baked cache) with the file already patched: the
    /// build goes on without writing anything. (An unpatched file there is an error: it will not load.)</summary>
    [Fact]
    public void AnAlreadyWeakFileInAReadOnlyFolderIsLeftAsItIs()
    {
        string copy = UnpatchedCopy();
        Assert.Equal("patched", ElfVersionNeeds.MarkWeak(copy, Version));
        byte[] patched = File.ReadAllBytes(copy);
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, written);
        var mode = File.GetUnixFileMode(dir);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            Assert.Equal("already weak", ElfVersionNeeds.MarkWeak(copy, Version));
        }
        finally
        {
            File.SetUnixFileMode(dir, mode);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        // nothing was written, not even the same bytes again (as root, where permissions do not stop a write)
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
        Assert.Equal(patched, File.ReadAllBytes(copy));
        Assert.Single(Directory.GetFiles(dir));
    }
}
