using System.Text.RegularExpressions;
using Makemore.Training;

namespace Makemore.Tests;

/// <summary>How the library hangs together: the core runs without the notebook engine, and the training loop and the
/// fast path know no model type (each model builds its own fast form).</summary>
public class LibraryStructureTests
{
    [Fact]
    public void TheCoreLibraryDoesNotReferenceTheNotebookEngine()
    {
        // The compiler drops a reference nothing uses, so this is what the core's code actually needs at run time.
        var references = typeof(Trainer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("TorchSharp", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        // and the notebook side is where the engine is used
        var notebookSide = typeof(Makemore.Notebook.Prelude).Assembly;
        Assert.NotEqual(typeof(Trainer).Assembly, notebookSide);
        Assert.Contains(notebookSide.GetReferencedAssemblies(), a => a.Name == "Microsoft.DotNet.Interactive");
    }

    [Theory]
    [InlineData("Training")]
    [InlineData("Fast")]
    public void TrainingAndTheFastPathNameNoModelType(string folder)
    {
        // The models (Part1's Mlp, Part2's DeepNet, the Network of layers) depend on Training and Fast, never the reverse.
        var modelCode = new Regex(@"\b(Makemore\.Part1|Makemore\.Part2|Part1\.|Part2\.|Mlp|DeepNet|BatchNormLayer)\b");
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepoFiles.Root, "lib", "Makemore", folder), "*.cs"))
        {
            // code only: not comments, not the text of messages
            var code = File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal))
                           .Select(l => Regex.Replace(l, "\"[^\"]*\"", "\"\""));
            foreach (string line in code)
                Assert.False(modelCode.IsMatch(line), $"{Path.GetFileName(file)}: {line.Trim()}");
        }
    }
}
