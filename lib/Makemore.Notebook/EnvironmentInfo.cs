using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Makemore.Notebook;

/// <summary>What the notebook is running on: printed by the setup notebook so a reader can compare with theirs.</summary>
public sealed record EnvironmentInfo(
    string DotNet, string Os, string TorchSharp, string LibTorch, string PlotlyNet, string FSharpCore, int Threads)
{
    public static EnvironmentInfo Capture() => new(
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        InformationalVersion(typeof(torch).Assembly),
        torch.__version__,
        LoadedVersion("Plotly.NET"),
        LoadedVersion("FSharp.Core"),
        torch.get_num_threads());

    public override string ToString() =>
        $"{DotNet} on {Os}\nTorchSharp {TorchSharp} (LibTorch {LibTorch}), {Threads} intra-op thread(s)\n" +
        $"Plotly.NET {PlotlyNet}, FSharp.Core {FSharpCore}";

    static string InformationalVersion(Assembly a) =>
        (a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?")
        .Split('+')[0];

    // Only what is already loaded: asking for Plotly.NET here must not load it (and FSharp.Core with it).
    static string LoadedVersion(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == name)
            .Select(InformationalVersion).OrderDescending().FirstOrDefault() ?? "not loaded";
}
