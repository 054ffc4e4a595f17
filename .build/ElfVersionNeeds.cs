// Marks one GNU symbol-version requirement of an ELF shared library as WEAK.
//
// Why: TorchSharp-cpu 0.107.0's libLibTorchSharp.so asks libstdc++ for GLIBCXX_3.4.32 (GCC 13), but Debian 12
// ships 3.4.30. The only symbol bound to that version is `_ZSt21ios_base_library_initv`, a marker that no
// relocation uses. With VER_FLG_WEAK set on that one `Vernaux` entry, glibc's loader accepts the library when the
// version is missing (it only warns under LD_DEBUG) and behaves exactly as before where it is present.
//
// That argument is checked on the file itself before it is patched: the dynamic symbol table and its version table
// must show no symbol bound to the version but that marker, or the patch refuses and says what it found (a TorchSharp
// update that really used GCC 13's library would otherwise fail at run time, far from here).
//
// The file is compiled twice: as an MSBuild inline task (Directory.Build.targets runs it after restore, on the
// NuGet cache copy that both builds and notebooks load) and into the tests (ELF_PATCH_LIBRARY_ONLY).
#nullable enable
using System;
using System.IO;
using System.Linq;
using System.Text;

public static class ElfVersionNeeds
{
    const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    // Field offsets of the ELF64 structures read here (System V gABI; the GNU versioning sections as glibc's elf.h).
    const int EhShoff = 0x28, EhShentsize = 0x3A, EhShnum = 0x3C;                   // Elf64_Ehdr
    const int ShType = 0x04, ShOffset = 0x18, ShSize = 0x20, ShLink = 0x28, ShInfo = 0x2C;   // Elf64_Shdr
    const int SymSize = 24, SymName = 0;                                            // Elf64_Sym
    const int VersymSize = 2, VersymHidden = 0x8000;                                // Elf64_Versym
    const int VnCnt = 2, VnAux = 8, VnNext = 12;                                    // Elf64_Verneed
    const int VnaFlags = 4, VnaOther = 6, VnaName = 8, VnaNext = 12;                // Elf64_Vernaux
    const int EiClass = 4, ElfClass64 = 2, EiData = 5, ElfData2Lsb = 1, Ehdr64Size = 64;   // e_ident

    /// <summary>The symbols that may bind to the version made weak: GCC 13's <c>&lt;iostream&gt;</c> marker, which no
    /// relocation uses.</summary>
    public static readonly string[] HarmlessSymbols = { "_ZSt21ios_base_library_initv" };
    const ushort VerFlgWeak = 0x2;

    /// <summary>Flags of the version need named <paramref name="version"/>, or null when the file has none.</summary>
    public static ushort? Flags(byte[] elf, string version)
    {
        int? at = FindVernaux(elf, version);
        return at is int offset ? BitConverter.ToUInt16(elf, offset + VnaFlags) : null;
    }

    /// <summary>File offset of the <c>vna_flags</c> field of the version need <paramref name="version"/>.</summary>
    public static int? FlagsOffset(byte[] elf, string version) => FindVernaux(elf, version) + VnaFlags;

    /// <summary>Sets VER_FLG_WEAK on the version need <paramref name="version"/>. Returns "patched", "already weak"
    /// or "absent"; writes the file atomically (temporary file + rename) and only when it changes. Refuses
    /// (<see cref="InvalidDataException"/>) when a symbol other than <see cref="HarmlessSymbols"/> binds to the
    /// version. <paramref name="beforeReplace"/> is for tests: it runs between writing the temporary file and the
    /// rename.</summary>
    public static string MarkWeak(string path, string version, Action<string>? beforeReplace = null)
    {
        byte[] elf = File.ReadAllBytes(path);
        int? at = FindVernaux(elf, version);
        if (at is not int offset) return "absent";
        ushort flags = BitConverter.ToUInt16(elf, offset + VnaFlags);
        if ((flags & VerFlgWeak) != 0) return "already weak";
        var bound = SymbolsBoundTo(elf, BitConverter.ToUInt16(elf, offset + VnaOther));
        var unexpected = bound.Where(name => Array.IndexOf(HarmlessSymbols, name) < 0).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException(
                $"{Path.GetFileName(path)}: {unexpected.Length} symbol(s) other than {string.Join(", ", HarmlessSymbols)} " +
                $"bind to {version} ({string.Join(", ", unexpected.Take(5))}{(unexpected.Length > 5 ? ", …" : "")}): " +
                "marking that version weak would only move the failure to run time; not patched");

        // A copy keeps the file's mode (File.Copy copies permissions on Unix; netstandard2.0, what MSBuild compiles
        // inline tasks against, has no API to set them), then the two bytes change in place and File.Replace renames
        // it over the original: a concurrent reader sees either the old file or the new one.
        string tmp = path + ".weak-" + Guid.NewGuid().ToString("N");
        try
        {
            File.Copy(path, tmp);
            using (var file = new FileStream(tmp, FileMode.Open, FileAccess.Write))
            {
                file.Position = offset + VnaFlags;
                file.Write(BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
            }
            beforeReplace?.Invoke(tmp);
            File.Replace(tmp, path, null);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
        return "patched";
    }

    /// <summary>The dynamic symbols whose version index (in .gnu.version) is <paramref name="index"/>.</summary>
    public static string[] SymbolsBoundTo(byte[] elf, ushort index)
    {
        if (!IsElf64(elf)) return new string[0];
        long shoff = BitConverter.ToInt64(elf, EhShoff);
        int shentsize = BitConverter.ToUInt16(elf, EhShentsize), shnum = BitConverter.ToUInt16(elf, EhShnum);
        int Section(int i) => checked((int)(shoff + (long)i * shentsize));
        int dynsym = -1, versym = -1;
        for (int i = 0; i < shnum; i++)
        {
            uint type = BitConverter.ToUInt32(elf, Section(i) + ShType);
            if (type == ShtDynsym) dynsym = i;
            else if (type == ShtGnuVersym) versym = i;
        }
        if (dynsym < 0 || versym < 0) throw new InvalidDataException("no dynamic symbol or symbol version table: cannot check which symbols need the version");
        int symbols = checked((int)BitConverter.ToInt64(elf, Section(dynsym) + ShOffset));
        int count = checked((int)(BitConverter.ToInt64(elf, Section(dynsym) + ShSize) / SymSize));
        int names = checked((int)BitConverter.ToInt64(elf, Section((int)BitConverter.ToUInt32(elf, Section(dynsym) + ShLink)) + ShOffset));
        int versions = checked((int)BitConverter.ToInt64(elf, Section(versym) + ShOffset));
        var found = new System.Collections.Generic.List<string>();
        for (int k = 0; k < count; k++)
        {
            if ((BitConverter.ToUInt16(elf, versions + VersymSize * k) & ~VersymHidden) != index) continue;
            int name = names + (int)BitConverter.ToUInt32(elf, symbols + SymSize * k + SymName);
            int end = Array.IndexOf(elf, (byte)0, name);
            found.Add(Encoding.ASCII.GetString(elf, name, end - name));
        }
        return found.ToArray();
    }

    static bool IsElf64(byte[] elf) =>
        elf.Length >= Ehdr64Size && elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F'
        && elf[EiClass] == ElfClass64 && elf[EiData] == ElfData2Lsb;

    /// <summary>True when a libstdc++ on the usual library paths already provides <paramref name="version"/>, so
    /// the patch is unnecessary.</summary>
    public static bool SystemLibstdcxxProvides(string version)
    {
        string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (string dir in dirs)
        {
            string lib = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(lib) && IndexOf(File.ReadAllBytes(lib), needle) >= 0) return true;
        }
        return false;
    }

    // Walks .gnu.version_r (Elf64_Verneed → Elf64_Vernaux chains) and returns the file offset of the Vernaux
    // entry whose name is `version`. Only little-endian ELF64 (linux-x64) is handled; anything else is "absent".
    static int? FindVernaux(byte[] elf, string version)
    {
        if (!IsElf64(elf)) return null;
        long shoff = BitConverter.ToInt64(elf, EhShoff);
        int shentsize = BitConverter.ToUInt16(elf, EhShentsize), shnum = BitConverter.ToUInt16(elf, EhShnum);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            if (BitConverter.ToUInt32(elf, sh + ShType) != ShtGnuVerneed) continue;
            int section = checked((int)BitConverter.ToInt64(elf, sh + ShOffset));
            int link = (int)BitConverter.ToUInt32(elf, sh + ShLink), count = (int)BitConverter.ToUInt32(elf, sh + ShInfo);
            int strtab = checked((int)BitConverter.ToInt64(elf, checked((int)(shoff + (long)link * shentsize)) + ShOffset));

            int need = section;
            for (int n = 0; n < count; n++)
            {
                int aux = need + (int)BitConverter.ToUInt32(elf, need + VnAux);
                for (int a = 0, auxCount = BitConverter.ToUInt16(elf, need + VnCnt); a < auxCount; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + VnaName);
                    if (CStringEquals(elf, name, version)) return aux;
                    aux += (int)BitConverter.ToUInt32(elf, aux + VnaNext);
                }
                need += (int)BitConverter.ToUInt32(elf, need + VnNext);
            }
        }
        return null;
    }

    static bool CStringEquals(byte[] data, int at, string s)
    {
        if (at + s.Length >= data.Length) return false;
        for (int k = 0; k < s.Length; k++)
            if (data[at + k] != (byte)s[k]) return false;
        return data[at + s.Length] == 0;
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int k = 0;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return i;
        }
        return -1;
    }
}

#if !ELF_PATCH_LIBRARY_ONLY
/// <summary>MSBuild task: mark <see cref="Version"/> weak in <see cref="Library"/> unless the system's libstdc++
/// already provides it.</summary>
public class MarkVersionNeedWeak : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string Library { get; set; } = "";
    [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        if (!File.Exists(Library)) return true;
        if (ElfVersionNeeds.SystemLibstdcxxProvides(Version)) return true;
        try
        {
            string result = ElfVersionNeeds.MarkWeak(Library, Version);
            Log.LogMessage(result == "patched" ? Microsoft.Build.Framework.MessageImportance.High
                                               : Microsoft.Build.Framework.MessageImportance.Low,
                           $"{Path.GetFileName(Library)}: {Version} {result}");
            return true;
        }
        catch (UnauthorizedAccessException e)
        {
            Log.LogError($"Could not mark {Version} weak in {Library}: the package folder is read-only ({e.Message}), " +
                         "and the file there still needs the version, which this system's libstdc++ lacks. Build once " +
                         "with write access to the NuGet cache, or point NUGET_PACKAGES at a writable folder (see README, 'Debian 12').");
            return false;
        }
        catch (Exception e)
        {
            Log.LogError($"Could not mark {Version} weak in {Library}: {e.Message}. TorchSharp will not load on a " +
                         "system whose libstdc++ lacks that version (see README, 'Debian 12').");
            return false;
        }
    }
}
#endif
