using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Makemore.Data;
using Makemore.Models;
using Makemore.NotebookRunner;
using Makemore.Training;
using TorchSharp;

/// <summary>
/// Resident memory over a long run of model A, sampled every 10000 steps: in this console process, and in the
/// notebook engine (a generated notebook run by dotnet-repl, as the main job runs the series). Flat after warm-up
/// means no native memory is left behind per step.
/// </summary>
static class Soak
{
    public const int Every = 10_000, WarmUp = 20_000;

    public static string Console(IModel model, Dataset data, int steps, bool fast)
    {
        var g = new torch.Generator(2147483647UL);
        var samples = new List<double>();
        for (int done = 0; done < steps; done += Every)
        {
            Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: Math.Min(Every, steps - done), Fast: fast), TextWriter.Null);
            samples.Add(Rss.CurrentMb());
        }
        return Report($"console, {(fast ? "fast" : "plain")}", steps, samples);
    }

    // The same loop as Console, as a notebook cell: its output line carries the samples back.
    const string Cell = """
        using System.IO;
        using Makemore.Data;
        using Makemore.Models;
        using Makemore.Training;
        var data = Dataset.Load(Dataset.FindDataFile());
        double Rss() => double.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        foreach (bool fast in new[] { false, true })
        {
            // part 1's shape (C, Linear(30, 200), Tanh, Linear(200, 27)) from the public side, as a notebook builds it
            var g = new TorchSharp.torch.Generator(2147483647);
            var model = Network.Create(g, new NetworkOptions(HiddenBlocks: 1, NHidden: 200), data.Vocab.Size, data.BlockSize);
            var samples = new List<double>();
            for (int done = 0; done < STEPS; done += EVERY)
            {
                Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: Math.Min(EVERY, STEPS - done), Fast: fast), TextWriter.Null);
                samples.Add(Rss());
            }
            Console.WriteLine($"soak {(fast ? "fast" : "plain")}: {string.Join(" ", samples.Select(s => s.ToString("F1")))}");
        }
        """;

    public static IEnumerable<string> Notebook(int steps)
    {
        string root = NotebookExecutor.FindRepoRoot(AppContext.BaseDirectory);
        var executor = new NotebookExecutor(root) { Timeout = TimeSpan.FromMinutes(60) };
        executor.Prepare(_ => { });
        // The series' own header cell (the #r lines), with the library's path made absolute.
        var first = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "notebooks", "00-setup.ipynb")))!;
        string header = string.Concat(first["cells"]!.AsArray().Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string)l!)))
            .First(s => s.Contains("#r \"../lib/")))
            .Replace("#r \"../lib/", $"#r \"{root}/lib/");
        string dir = Path.Combine(root, "tests", "Makemore.Benchmarks", "results", "soak-notebook");
        Directory.CreateDirectory(dir);
        string notebook = Path.Combine(dir, "soak.ipynb");
        string[] cells = [header, "Makemore.Notebook.Prelude.Setup();",
                          Cell.Replace("STEPS", steps.ToString(CultureInfo.InvariantCulture)).Replace("EVERY", Every.ToString(CultureInfo.InvariantCulture))];
        File.WriteAllText(notebook, NotebookJson(cells));
        var run = executor.Run(notebook, Path.Combine(dir, "out"), new Dictionary<string, string>(), _ => { });
        if (!run.Ok) throw new InvalidOperationException($"the soak notebook failed: {run.Summary()}\n{run.Log}");
        foreach (Match m in Regex.Matches(run.Executed!.AllText, @"soak (plain|fast): ([0-9. ]+)"))
        {
            var samples = m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            yield return Report($"notebook engine, {m.Groups[1].Value}", steps, samples);
        }
    }

    static string NotebookJson(IEnumerable<string> cells) => new JsonObject
    {
        ["cells"] = new JsonArray(cells.Select(c => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
            ["outputs"] = new JsonArray(), ["source"] = c,
        }).ToArray()),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp", ["items"] = new JsonArray() } },
        },
        ["nbformat"] = 4, ["nbformat_minor"] = 5,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    static string Report(string where, int steps, List<double> samples)
    {
        var after = samples.Where((_, i) => (i + 1) * Every > WarmUp).DefaultIfEmpty(samples[^1]).ToList();
        string line = $"soak ({where}): model A, {steps} steps: RSS after warm-up ({WarmUp / 1000}k) {after.Min():F0}–{after.Max():F0} MB " +
                      $"(range {after.Max() - after.Min():F0} MB); every {Every}: {string.Join(' ', samples.Select(s => s.ToString("F0")))}";
        System.Console.WriteLine(line);
        return line;
    }
}

static class Rss
{
    static double Read(string key) => File.Exists("/proc/self/status")
        ? double.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(key)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024
        : double.NaN;
    public static double PeakMb() => Read("VmHWM:");
    public static double CurrentMb() => Read("VmRSS:");
}
