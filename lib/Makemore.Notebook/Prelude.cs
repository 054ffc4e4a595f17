using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Makemore.Training;
using TorchSharp;

namespace Makemore.Notebook;

/// <summary>
/// The first library call of every notebook (the cell right after the <c>#r</c> lines). It makes the .NET Interactive
/// engine usable for this project, and connects the library to it: a live progress display for training runs, the
/// stop button, tables for the library's results. Everywhere else (console apps, tests) each step is a no-op. Safe
/// to call twice.
/// </summary>
public static class Prelude
{
    static readonly object Gate = new();
    static bool fsharpCoreRedirect, nativesLoaded, notebookHooks;

    /// <summary>Fixes the engine, sets TorchSharp's intra-op thread count, and returns what is loaded.</summary>
    /// <param name="threads">Intra-op threads. 1 by default: these matrices are tiny, and on 2 cores TorchSharp's
    /// default of 2 threads made a training step 1.8× slower (27× on a busy machine).</param>
    public static EnvironmentInfo Setup(int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1");
        lock (Gate)
        {
            if (!fsharpCoreRedirect) { AssemblyLoadContext.Default.Resolving += ServeLoadedFSharpCore; fsharpCoreRedirect = true; }
            if (!nativesLoaded) { LoadTorchNativesFromPackageCache(); nativesLoaded = true; }
            if (!notebookHooks && Microsoft.DotNet.Interactive.KernelInvocationContext.Current is not null)
            {
                // In a notebook: training runs show a live progress display and stop with the stop button, and the
                // library's results show as tables.
                Training.Trainer.Monitor = _ => LiveProgress.ForCurrentCell();
                Training.Trainer.AmbientCancellation = () => Kernel.CancellationToken;
                Formatters.Register();
                notebookHooks = true;
            }
        }
        ChartDisplay.Register();   // charts without internet: plotly.js once, in this cell's output
        // First touch of `torch`: its static constructor now finds the natives loaded above.
        torch.set_num_threads(threads);
        return EnvironmentInfo.Capture();
    }

    // Plotly.NET 6 references FSharp.Core 10.1, but the engine has already loaded FSharp.Core 10.0 into the default
    // context, so the first chart fails with "Could not load file or assembly 'FSharp.Core, Version=10.1.0.0'".
    // Plotly.NET uses nothing that 10.0 lacks: hand it the FSharp.Core that is already there.
    static Assembly? ServeLoadedFSharpCore(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core") return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "FSharp.Core")
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
    }

    // In a notebook TorchSharp.dll is loaded from the NuGet cache (…/torchsharp/0.107.0/lib/net8.0/), and on first
    // use it tries `torch_cpu` by bare name: where Debian's libtorch 1.13 is installed that finds the wrong library.
    // Loading the package's own natives by full path first makes every later load by name resolve to them, and
    // skips TorchSharp's first-use copy of ~500 MB of natives. Console apps and tests have the natives beside
    // TorchSharp.dll in bin/, where TorchSharp finds them itself: nothing to do.
    static void LoadTorchNativesFromPackageCache()
    {
        if (!OperatingSystem.IsLinux()) return;
        string torchSharpDll = typeof(torch).Assembly.Location;          // reading Location runs no torch code
        string? version = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(torchSharpDll)));
        string? packages = Path.GetDirectoryName(Path.GetDirectoryName(version));
        if (version is null || packages is null) return;
        string libTorchSharp = Path.Combine(version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(libTorchSharp)) return;                        // not the package cache layout

        string? libtorch = Directory.Exists(Path.Combine(packages, "libtorch-cpu-linux-x64"))
            ? Directory.GetDirectories(Path.Combine(packages, "libtorch-cpu-linux-x64"))
                .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native"))
                .Where(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        if (libtorch is null)
            throw new DllNotFoundException(
                $"TorchSharp is loaded from {version}, but no libtorch-cpu-linux-x64 package with libtorch_cpu.so " +
                $"was found under {packages}. Add `#r \"nuget: TorchSharp-cpu, <version>\"` (it brings libtorch-cpu).");

        foreach (string lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            Load(Path.Combine(libtorch, lib));
        Load(libTorchSharp);
    }

    static void Load(string path)
    {
        try { NativeLibrary.Load(path); }
        catch (DllNotFoundException e) when (e.Message.Contains("GLIBCXX", StringComparison.Ordinal))
        {
            throw new DllNotFoundException(
                $"{path} needs a newer libstdc++ than this system has ({e.Message}). Build the project once " +
                "(`dotnet build -c Release lib/Makemore.Notebook`): its build marks that version need weak in the NuGet " +
                "cache (see README, 'TorchSharp on Debian 12'). Then restart the kernel.", e);
        }
    }
}
