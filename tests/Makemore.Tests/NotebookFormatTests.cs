using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Makemore.Tests;

/// <summary>The notebooks as committed: the format VS Code Polyglot saves, no outputs, the standard first cells,
/// and package versions that match Directory.Packages.props.</summary>
public partial class NotebookFormatTests
{
    public static TheoryData<string> Notebooks() => new(RepoFiles.NotebookPaths().Select(Path.GetFileName)!);

    static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(RepoFiles.Notebooks, name)))!;

    static IEnumerable<JsonNode> CodeCells(JsonNode nb) =>
        nb["cells"]!.AsArray().Select(c => c!).Where(c => (string?)c["cell_type"] == "code");

    static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        var s => (string?)s ?? "",
    };

    [GeneratedRegex("""^#r\s+"nuget:\s*([^,"\s]+)\s*,\s*([^"\s]+)\s*"\s*$""", RegexOptions.Multiline)]
    private static partial Regex NugetReference();

    [Fact]
    public void ThereAreNotebooks() => Assert.NotEmpty(RepoFiles.NotebookPaths());

    [Theory, MemberData(nameof(Notebooks))]
    public void IsAPolyglotCSharpNotebook(string name)
    {
        var nb = Load(name);
        Assert.Equal(".net-csharp", (string?)nb["metadata"]?["kernelspec"]?["name"]);
        Assert.Equal("C#", (string?)nb["metadata"]?["kernelspec"]?["language"]);
        Assert.Equal("csharp", (string?)nb["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]);
        Assert.All(CodeCells(nb), c => Assert.Equal("csharp", (string?)c["metadata"]?["polyglot_notebook"]?["kernelName"]));
    }

    [Theory, MemberData(nameof(Notebooks))]
    public void IsCommittedWithoutOutputs(string name) =>
        Assert.All(CodeCells(Load(name)), c => Assert.Empty(c["outputs"]?.AsArray() ?? []));

    [Theory, MemberData(nameof(Notebooks))]
    public void StartsWithThePackagesTheLibraryAndThePrelude(string name)
    {
        var cells = CodeCells(Load(name)).Select(Source).ToList();
        Assert.True(cells.Count >= 2, $"{name}: fewer than two code cells");
        // the library and its notebook side, both from the notebook side's build output
        Assert.Contains("#r \"../lib/Makemore.Notebook/bin/Release/net10.0/Makemore.dll\"", cells[0]);
        Assert.Contains("#r \"../lib/Makemore.Notebook/bin/Release/net10.0/Makemore.Notebook.dll\"", cells[0]);
        Assert.Contains("Prelude.Setup(", cells[1]);
        // The prelude fixes Plotly.NET inside the engine: no cell before it may touch Plotly.
        Assert.DoesNotContain("Plotly.NET", cells[1]);
    }

    [Theory, MemberData(nameof(Notebooks))]
    public void NugetReferencesUseTheDeclaredVersions(string name)
    {
        var declared = RepoFiles.PackageVersions();
        var references = CodeCells(Load(name)).SelectMany(c => NugetReference().Matches(Source(c))).ToList();
        Assert.NotEmpty(references);
        foreach (Match m in references)
        {
            string id = m.Groups[1].Value, version = m.Groups[2].Value;
            Assert.True(declared.TryGetValue(id, out var expected), $"{name}: {id} is not declared in Directory.Packages.props");
            Assert.True(expected == version, $"{name}: {id} {version}, but Directory.Packages.props says {expected}");
        }
    }

    [Theory]
    [InlineData("Makemore")]
    [InlineData("Makemore.Notebook")]
    public void TheLibraryUsesOnlyDeclaredPackages(string project)
    {
        var declared = RepoFiles.PackageVersions();
        var csproj = XDocument.Load(Path.Combine(RepoFiles.Root, "lib", project, project + ".csproj"));
        foreach (var reference in csproj.Descendants("PackageReference"))
        {
            Assert.Null(reference.Attribute("Version"));           // versions live in Directory.Packages.props only
            Assert.Contains((string)reference.Attribute("Include")!, declared.Keys);
        }
    }
}
