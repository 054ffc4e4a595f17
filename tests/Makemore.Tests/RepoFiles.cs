using System.Xml.Linq;
using Makemore.NotebookRunner;

namespace Makemore.Tests;

/// <summary>Paths in the repository and the package versions it declares.</summary>
public static class RepoFiles
{
    public static string Root { get; } = NotebookExecutor.FindRepoRoot(AppContext.BaseDirectory);
    public static string Notebooks => Path.Combine(Root, "notebooks");

    public static IReadOnlyList<string> NotebookPaths() =>
        Directory.GetFiles(Notebooks, "*.ipynb").Order(StringComparer.Ordinal).ToList();

    /// <summary>Package id → version, from Directory.Packages.props.</summary>
    public static IReadOnlyDictionary<string, string> PackageVersions() =>
        XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!,
                          StringComparer.OrdinalIgnoreCase);

    /// <summary>The NuGet package cache that restore used (where notebooks load TorchSharp from).</summary>
    public static string NuGetPackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
