using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Makemore.Data;
using Makemore.Models;
using Makemore.Training;
using TorchSharp;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project tests/Makemore.Benchmarks -- [--steps N] [--repeat R] [--compare-pytorch]
//        [--soak STEPS] [--soak-notebook STEPS]
// Trains model A (the Kaiming MLP, 30→200→27) and model B (the deep net with BatchNorm) for N steps after a warm-up,
// R times interleaved (with PyTorch when asked), and prints the medians. One intra-op thread on both sides.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int steps = 3000, repeat = 3, warmup = 300, soak = 0, soakNotebook = 0;
bool comparePyTorch = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps": steps = int.Parse(args[++i]); break;
        case "--repeat": repeat = int.Parse(args[++i]); break;
        case "--warmup": warmup = int.Parse(args[++i]); break;
        case "--soak": soak = int.Parse(args[++i]); break;
        case "--soak-notebook": soakNotebook = int.Parse(args[++i]); break;
        case "--compare-pytorch": comparePyTorch = true; break;
        default: Console.Error.WriteLine($"unknown option '{args[i]}'"); return 64;
    }
}

torch.set_num_threads(1);   // as the notebooks' prelude does: one intra-op thread
string names = Dataset.FindDataFile();
var data = Dataset.Load(names);
string? python = comparePyTorch ? PyTorch.Find() : null;
if (comparePyTorch && python is null)
    Console.WriteLine("--compare-pytorch: no python3 with torch found (apt-get install python3-torch libopenblas0-pthread); skipping");

var models = new (string Name, string Description, Func<IModel> Build, int DecayStep)[]
{
    ("A", "Kaiming MLP 30→200→27", () => Mlp.Create(MlpConfig.Kaiming, data.Vocab.Size, data.BlockSize).Model, 100_000),
    ("B", "deep net + BatchNorm, n_hidden 100", () => Network.Create(new Generator(2147483647UL), new NetworkOptions(BatchNorm: true)), 150_000),
};

var rows = new List<string>();
Console.WriteLine($"{steps} steps after {warmup} warm-up, median of {repeat}; torch threads {get_num_threads()}");
foreach (var model in models)
{
    // Interleaved, so that a busy spell on the machine hits every variant alike.
    var runs = new Dictionary<string, List<Measurement>> { ["plain"] = [], ["plain+diag"] = [], ["fast"] = [], ["fast+diag"] = [] };
    var theirs = new List<PyTorch.Result>();
    for (int r = 0; r < repeat; r++)
    {
        foreach (var (variant, list) in runs)
            list.Add(Measure(model.Build(), steps, warmup, diagnostics: variant.EndsWith("+diag"), fast: variant.StartsWith("fast")));
        if (python is not null) theirs.Add(PyTorch.Run(python, model.Name, steps, warmup, names));
    }
    double? py = theirs.Count == 0 ? null : theirs.Select(t => t.Steps / t.Wall).Order().ElementAt(theirs.Count / 2);
    var lines = new List<string> { $"{model.Name}: {model.Description}" };
    foreach (var (variant, list) in runs)
    {
        var m = Measurement.Median(list);
        string line = $"   {variant,-11} {m.StepsPerSecond,8:F0} steps/s {m.StepsPerCpuSecond,8:F0} steps/CPU-s " +
                      $"{m.BytesPerStep,7:F0} B/step  peak RSS {m.PeakRssMb,5:F0} MB  live tensors after {m.LiveTensors}";
        if (variant.EndsWith("+diag"))
            line += $"  diagnostics cost {Measurement.Median(runs[variant[..^5]]).StepsPerSecond / m.StepsPerSecond - 1:P0}";
        if (py is double p) line += $"  → {m.StepsPerSecond / p:F2}× PyTorch";
        lines.Add(line);
    }
    if (py is double pyWall)
    {
        double pyCpu = theirs.Select(t => t.Steps / t.Cpu).Order().ElementAt(theirs.Count / 2);
        lines.Add($"   PyTorch {theirs[0].Torch,-3} {pyWall,8:F0} steps/s {pyCpu,8:F0} steps/CPU-s");
    }
    // Where a plain step goes: one more run of each plain variant with the Trainer's phase timer on (not in the figures
    // above; a mark costs two clock reads).
    lines.Add($"   per-step profile of the plain path, µs/step (B/step managed), {steps} steps:");
    var profiles = new[] { false, true }.Select(diagnostics =>
    {
        var profile = new Trainer.StepProfile();
        Measure(model.Build(), steps, warmup, diagnostics, fast: false, profile);
        return (Variant: diagnostics ? "plain+diag" : "plain", Profile: profile);
    }).ToList();
    lines.Add("   " + $"{"phase",-14}" + string.Concat(profiles.Select(p => $"{p.Variant,22}")));
    double Micro(Trainer.StepProfile p, int k) => p.Ticks[k] * 1e6 / Stopwatch.Frequency / p.Steps;
    foreach (var phase in Enum.GetValues<Trainer.StepProfile.Phase>())
        lines.Add("   " + $"{phase,-14}" + string.Concat(profiles.Select(p =>
            $"{Micro(p.Profile, (int)phase),10:F1} µs {(double)p.Profile.Bytes[(int)phase] / p.Profile.Steps,7:F0} B")));
    lines.Add("   " + $"{"step",-14}" + string.Concat(profiles.Select(p =>
        $"{Enumerable.Range(0, p.Profile.Ticks.Length).Sum(k => Micro(p.Profile, k)),10:F1} µs {(double)p.Profile.Bytes.Sum() / p.Profile.Steps,7:F0} B")));
    foreach (var line in lines) Console.WriteLine(line);
    rows.AddRange(lines);
}

if (soak > 0)
    foreach (bool fast in new[] { false, true })
        rows.Add(Soak.Console(models[0].Build(), data, soak, fast));
if (soakNotebook > 0) rows.AddRange(Soak.Notebook(soakNotebook));

string dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results");
Directory.CreateDirectory(dir);
string file = Path.GetFullPath(Path.Combine(dir, $"benchmark-{DateTime.UtcNow:yyyyMMdd-HHmmss}.txt"));
File.WriteAllText(file, $"{DateTime.UtcNow:u} {Environment.ProcessorCount} cores, {steps} steps, median of {repeat}\n" +
                        string.Join('\n', rows) + "\n");
Console.WriteLine($"results: {file}");
return 0;

Measurement Measure(IModel model, int n, int warm, bool diagnostics, bool fast, Trainer.StepProfile? profile = null)
{
    if (model is Network net) foreach (var layer in net.Layers) layer.RetainOutput = diagnostics;
    var g = new Generator(2147483647UL + 1);
    var quiet = TextWriter.Null;
    Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: warm, RecordUpdateRatios: diagnostics, Fast: fast), quiet);
    GC.Collect();
    long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    long bytes = GC.GetTotalAllocatedBytes(precise: true);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    Trainer.Profile = profile;
    profile?.Restart();
    try
    {
        Trainer.Train(model, data.Xtr, data.Ytr, g, new TrainingOptions(MaxSteps: n, RecordUpdateRatios: diagnostics, Fast: fast), quiet);
    }
    finally { Trainer.Profile = null; }
    double wall = clock.Elapsed.TotalSeconds;
    double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    long allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
    long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount - liveBefore;
    return new Measurement(n / wall, n / cpuSeconds, (double)allocated / n, Rss.PeakMb(), live);
}

sealed record Measurement(double StepsPerSecond, double StepsPerCpuSecond, double BytesPerStep, double PeakRssMb, long LiveTensors)
{
    public static Measurement Median(List<Measurement> ms) => ms.OrderBy(m => m.StepsPerSecond).ElementAt(ms.Count / 2);
}

static class PyTorch
{
    public sealed record Result(string Model, int Steps, double Wall, double Cpu, double Loss, string Torch);

    // Debian's python3-torch installs for the system Python, which may not be the first python3 on PATH.
    public static string? Find() => new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p =>
    {
        try
        {
            using var proc = Process.Start(new ProcessStartInfo(p, "-c \"import torch\"") { RedirectStandardError = true });
            proc!.WaitForExit();
            return proc.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    public static Result Run(string python, string model, int steps, int warmup, string names)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The same thread count on both sides: torch.set_num_threads(1) does not reach OpenBLAS's own thread pool.
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        psi.Environment["OMP_NUM_THREADS"] = "1";
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "pytorch_reference.py"), model, steps.ToString(), warmup.ToString(), names })
            psi.ArgumentList.Add(a);
        using var proc = Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        if (proc.ExitCode != 0) throw new InvalidOperationException($"pytorch_reference.py failed: {stderr}");
        var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        return new Result(model, json.GetProperty("steps").GetInt32(), json.GetProperty("wall").GetDouble(),
                          json.GetProperty("cpu").GetDouble(), json.GetProperty("loss").GetDouble(), json.GetProperty("torch").GetString()!);
    }
}
