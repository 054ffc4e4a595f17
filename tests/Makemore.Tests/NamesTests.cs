using System.Text;

namespace Makemore.Tests;

/// <summary>Names.Read accepts the lecture's file and refuses malformed ones with messages that say where.</summary>
[Collection(InProcessTorch.Name)]
public sealed class NamesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("makemore-names-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string content, string name = "names.txt")
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    [Fact]
    public void ReadsTheRealFile()
    {
        var words = Names.Read(Dataset.FindDataFile());
        Assert.Equal(32033, words.Count);
        Assert.Equal(new[] { "emma", "olivia", "ava" }, words.Take(3));
        Assert.Equal("zzyzx", words[^1]);
    }

    [Fact]
    public void MissingFileNamesThePathAndWhatWasExpected()
    {
        string path = Path.Combine(dir, "nope.txt");
        var e = Assert.Throws<FileNotFoundException>(() => Names.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("names file not found", e.Message);
        Assert.Contains("data/names.txt", e.Message);
        Assert.Contains("one lowercase name per line", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\n\n\n")]
    [InlineData("\r\n\r\n")]
    public void EmptyFileIsRefused(string content)
    {
        string path = Write(content);
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void BadCharacterNamesFileLineColumnAndTheCharacter()
    {
        string path = Write("emma\nolivia\nav\ta\nisabella");
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(path));
        Assert.Contains($"{path}:3:3", e.Message);
        Assert.Contains(@"'\t'", e.Message);
        Assert.Contains("names must be lowercase a–z", e.Message);
    }

    [Fact]
    public void NonAsciiCharacterIsShownWithItsCodePoint()
    {
        string path = Write("emma\nrené");
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(path));
        Assert.Contains($"{path}:2:4", e.Message);
        Assert.Contains("U+00E9 'é'", e.Message);
    }

    [Fact]
    public void UppercaseIsRefused()
    {
        string path = Write("emma\nOlivia\n");
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(path));
        Assert.Contains($"{path}:2:1", e.Message);
        Assert.Contains("'O'", e.Message);
        Assert.Contains("uppercase", e.Message);
        Assert.Contains("names must be lowercase a–z", e.Message);
    }

    [Fact]
    public void SpaceAndDotAreRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(Write("emma \n")));
        Assert.Contains(":1:5", e.Message);
        Assert.Contains("' '", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Names.Read(Write("a.b")));
        Assert.Contains(":1:2", e.Message);
        Assert.Contains("'.'", e.Message);
    }

    [Fact]
    public void BlankLineInTheMiddleNamesTheLine()
    {
        string path = Write("emma\nolivia\n\nava");
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(path));
        Assert.Contains($"{path}:3", e.Message);
        Assert.Contains("empty line", e.Message);
    }

    [Fact]
    public void MoreThanOneTrailingNewlineIsABlankLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => Names.Read(Write("emma\nava\n\n")));
        Assert.Contains(":3", e.Message);
    }

    [Fact]
    public void CrlfIsAcceptedAndEqualsLf()
    {
        var lf = Names.Read(Write("emma\nolivia\nava", "lf.txt"));
        var crlf = Names.Read(Write("emma\r\nolivia\r\nava", "crlf.txt"));
        var crlfTrailing = Names.Read(Write("emma\r\nolivia\r\nava\r\n", "crlf2.txt"));
        Assert.Equal(new[] { "emma", "olivia", "ava" }, lf);
        Assert.Equal(lf, crlf);
        Assert.Equal(lf, crlfTrailing);
    }

    [Fact]
    public void ASingleTrailingNewlineIsAccepted()
    {
        var words = Names.Read(Write("emma\nolivia\nava\n"));
        Assert.Equal(new[] { "emma", "olivia", "ava" }, words);
    }
}
