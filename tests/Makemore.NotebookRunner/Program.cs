using Makemore.NotebookRunner;

// Usage: dotnet run -c Release --project tests/Makemore.NotebookRunner -- [--apps] [--steps N] [--jobs N] [--out DIR] [NAME-FILTER…]
//        dotnet run -c Release --project tests/Makemore.NotebookRunner -- --write-apps
// Executes the notebooks (all, or those whose file name contains a filter), one line per notebook. Each notebook is
// its own kernel process on one intra-op thread, so by default as many run at once as there are cores. With --apps it
// runs the chapters' file-based apps (notebooks/apps/) instead, which need only the .NET SDK; --write-apps regenerates
// those apps from the notebooks.
int? steps = null;
bool apps = false;
int jobs = Environment.ProcessorCount;
string? outDir = null;
var filters = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n > 0: steps = n; i++; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--apps": apps = true; break;
        case "--write-apps":
            foreach (string written in AppConverter.WriteAll(NotebookExecutor.FindRepoRoot(Directory.GetCurrentDirectory())))
                Console.WriteLine($"wrote {Path.GetRelativePath(Directory.GetCurrentDirectory(), written)}");
            return 0;
        case "--jobs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int j) && j > 0: jobs = j; i++; break;
        case "-h" or "--help":
            Console.WriteLine("notebook runner: [--apps] [--steps N] [--jobs N] [--out DIR] [NAME-FILTER…] | --write-apps\n" +
                              "  --apps      run the file-based apps in notebooks/apps/ instead of the notebooks (only the\n" +
                              "              .NET SDK needed); each app's charts go to DIR/apps/<app>/ as HTML files\n" +
                              "  --write-apps  regenerate notebooks/apps/ from the notebooks, and exit\n" +
                              "  --steps N   cap every training run at N steps (sets MAKEMORE_STEPS)\n" +
                              "  --jobs N    notebooks executed at once (default: the number of cores)\n" +
                              "  --out DIR   where executed notebooks go (default notebooks/out)\n" +
                              "01–05 record their runs in DIR/runs (or in MAKEMORE_RUNS if set), and 06 reads them: it runs\n" +
                              "after those of 01–05 that are in the same run.");
            return 0;
        case var a when a.StartsWith('-'):
            Console.Error.WriteLine($"unknown or incomplete option '{a}' (see --help)");
            return 64;
        default: filters.Add(args[i]); break;
    }
}

var executor = new NotebookExecutor(NotebookExecutor.FindRepoRoot(Directory.GetCurrentDirectory()));
outDir = Path.GetFullPath(outDir ?? Path.Combine(executor.NotebooksDir, "out"));
var notebooks = executor.Notebooks()
    .Where(nb => filters.Count == 0 || filters.Any(f => Path.GetFileName(nb).Contains(f, StringComparison.OrdinalIgnoreCase)))
    .ToList();
if (notebooks.Count == 0) { Console.Error.WriteLine($"no notebooks match {string.Join(", ", filters)}"); return 66; }

if (!apps) executor.Prepare(Console.WriteLine);
var environment = new Dictionary<string, string>();
if (steps is int s) environment["MAKEMORE_STEPS"] = s.ToString();
// The run records of 01–05, for 06: beside the executed copies, so that the main job (or a quick run with --steps)
// never replaces the records of the learner's own runs in notebooks/runs/.
if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MAKEMORE_RUNS")))
    environment["MAKEMORE_RUNS"] = Path.Combine(outDir, "runs");
Console.WriteLine($"executing {notebooks.Count} {(apps ? "app(s)" : "notebook(s)")}, {jobs} at a time" +
                  $"{(steps is null ? "" : $", with at most {steps} steps")} → {outDir}");

var total = System.Diagnostics.Stopwatch.StartNew();
var summaries = new string[notebooks.Count];
var ok = new bool[notebooks.Count];
var appRunner = new AppExecutor(executor.RepoRoot);
if (apps)
{
    var missing = notebooks.Select(AppConverter.AppPath).Where(a => !File.Exists(a)).ToList();
    if (missing.Count > 0) { Console.Error.WriteLine($"no app for {string.Join(", ", missing)}: run --write-apps"); return 66; }
}
// 06 reads the records that 01–05 write in their last cell: it goes to the end of the queue and waits for them.
var order = Enumerable.Range(0, notebooks.Count).OrderBy(i => ReadsRunRecords(notebooks[i])).ToList();
using var recorded = new CountdownEvent(notebooks.Count(WritesRunRecord));
// Each worker takes the next notebook in order when it is free (no up-front split of the list into halves).
var queue = System.Collections.Concurrent.Partitioner.Create(order,
                                                             System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering);
Parallel.ForEach(queue, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
{
    if (ReadsRunRecords(notebooks[i])) recorded.Wait();
    try
    {
        if (apps)
        {
            var app = appRunner.Run(AppConverter.AppPath(notebooks[i]),
                                    Path.Combine(outDir, "apps", Path.GetFileNameWithoutExtension(notebooks[i])), environment, Console.WriteLine);
            ok[i] = app.Ok;
            summaries[i] = app.Summary();
        }
        else
        {
            var run = executor.Run(notebooks[i], outDir, environment, Console.WriteLine);
            ok[i] = run.Ok;
            summaries[i] = run.Summary();
        }
    }
    finally { if (WritesRunRecord(notebooks[i])) recorded.Signal(); }
    Console.WriteLine(summaries[i]);
});
int failed = ok.Count(o => !o);
if (jobs > 1 && notebooks.Count > 1)
{
    Console.WriteLine("in order:");
    foreach (var summary in summaries) Console.WriteLine(summary);
}
Console.WriteLine($"{notebooks.Count - failed} passed, {failed} failed in {total.Elapsed.TotalMinutes:F1} min");
return failed == 0 ? 0 : 1;

static bool WritesRunRecord(string notebook) =>
    Path.GetFileName(notebook) is ['0', >= '1' and <= '5', '-', ..];     // 01-… to 05-…

static bool ReadsRunRecords(string notebook) => Path.GetFileName(notebook).StartsWith("06-", StringComparison.Ordinal);
