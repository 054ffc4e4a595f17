using System.Globalization;
using System.Text.Json;
using Makemore.Data;
using Makemore.Models;
using Makemore.Training;

namespace Makemore.Reference;

/// <summary>
/// What a run of one of the part-1 notebooks (01–05) leaves for notebook 06's loss log: which of the lecture's stages
/// it is, if any (<see cref="Part1Reference"/> tells it from the parameters at init, bit for bit, and the first loss,
/// never from a name), what is yours when it is not (<see cref="Init"/>: "W1 × 0.1"), the steps, the step-0 loss and
/// the split losses. One small JSON file per notebook in <see cref="Folder"/>; the notebook's next run replaces it.
/// </summary>
/// <param name="Notebook">"01" … "05".</param>
/// <param name="Stage">The lecture's stage this run is (<see cref="MlpConfig.Name"/>), or null.</param>
/// <param name="FullRun">It also ran the lecture's 200000 steps and schedule: its final losses compare.</param>
/// <param name="Init">The stage's name, or what differs from the lecture's ("W1 × 0.1").</param>
/// <param name="Verdict">The comparison's line, as the notebook printed it.</param>
/// <param name="Steps">Steps trained.</param>
/// <param name="Step0Loss">The first minibatch's loss (10^lossi[0]).</param>
/// <param name="Train">split_loss('train') after training.</param>
/// <param name="Val">split_loss('val') after training.</param>
/// <param name="Fast">Trained on the fast path (<see cref="TrainingOptions.Fast"/>).</param>
/// <param name="Saved">When the record was made.</param>
public sealed record RunRecord(string Notebook, string? Stage, bool FullRun, string Init, string Verdict,
                               int Steps, float Step0Loss, float Train, float Val, bool Fast, DateTimeOffset Saved)
{
    /// <summary>Set it to a folder to keep the records there instead (the tests and the main job do).</summary>
    internal const string FolderVariable = "MAKEMORE_RUNS";

    /// <summary>The part-1 notebooks whose runs 06 reads, with the lecture's stage each one trains as written.</summary>
    public static IReadOnlyList<(string Notebook, string File, MlpConfig Stage)> Part1Notebooks { get; } =
    [
        ("01", "01-starter-mlp.ipynb", MlpConfig.Starter),
        ("02", "02-fixing-the-initial-loss.ipynb", MlpConfig.FixInitialLoss),
        ("03", "03-fixing-the-saturated-tanh.ipynb", MlpConfig.FixSaturatedTanh),
        ("04", "04-kaiming-init.ipynb", MlpConfig.Kaiming),
        ("05", "05-batch-normalization.ipynb", MlpConfig.BatchNorm),
    ];

    /// <summary>The record of a finished run: <paramref name="run"/> as the training loop returned it, and its
    /// <c>split_loss</c> numbers.</summary>
    public static RunRecord Of(string notebook, Dataset data, TrainingResult run, float train, float val)
    {
        CheckName(notebook);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(run);
        if (run.Steps == 0)
            throw new ArgumentException($"the run of {notebook} took no step: there is nothing to record", nameof(run));
        var match = Part1Reference.Match(data, run);
        return new(notebook, match.Stage?.Name, match.FullRun, match.Init, match.Verdict, run.Steps,
                   MathF.Pow(10, run.Lossi[0]), train, val, run.Fast, DateTimeOffset.Now);
    }

    /// <summary>The folder the notebooks share: <c>MAKEMORE_RUNS</c> if set, otherwise <c>notebooks/runs/</c>
    /// (git-ignored), found from the working directory upwards as <see cref="Dataset.FindDataFile"/> finds data/.</summary>
    public static string Folder()
    {
        string? set = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrWhiteSpace(set)) return Path.GetFullPath(set);
        string start = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string notebooks = Path.Combine(dir.FullName, "notebooks");
            if (File.Exists(Path.Combine(notebooks, "06-loss-log.ipynb"))) return Path.Combine(notebooks, "runs");
        }
        throw new DirectoryNotFoundException(
            $"no notebooks/06-loss-log.ipynb in {start} or any directory above it: set {FolderVariable} to the folder " +
            "where the run records go");
    }

    /// <summary>Writes the record to <c>{folder}/{Notebook}.json</c> (replacing the notebook's last one) and
    /// returns the path.</summary>
    public string Save(string? folder = null)
    {
        folder ??= Folder();
        Directory.CreateDirectory(folder);
        string path = PathOf(Notebook, folder), temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);    // a reader never sees half a file
        return path;
    }

    /// <summary>The notebook's last record, or null when it has none.</summary>
    public static RunRecord? Load(string notebook, string? folder = null)
    {
        CheckName(notebook);
        string path = PathOf(notebook, folder ?? Folder());
        if (!File.Exists(path)) return null;
        RunRecord? record;
        try { record = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), Json); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a run record ({e.Message}): delete it and run {notebook} again", e);
        }
        if (record is null || record.Notebook != notebook || record.Init is null || record.Verdict is null)
            throw new InvalidDataException($"{path} is not a run record of {notebook}: delete it and run {notebook} again");
        return record;
    }

    /// <summary>What the loss log's row says the run is: the lecture's stage, or "yours: W1 × 0.1".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string What => Stage ?? $"yours: {Init}";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Notebook}: {(Stage is null ? What : $"the lecture's stage '{Stage}'")}, {Steps} steps{(Fast ? " (fast path)" : "")}, step 0 loss {Step0Loss:F4}, " +
        $"train {Train:F4}, val {Val:F4} ({Saved:yyyy-MM-dd HH:mm})");

    static string PathOf(string notebook, string folder) => Path.Combine(folder, notebook + ".json");

    static void CheckName(string notebook)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(notebook);
        if (notebook.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || notebook.Contains('.'))
            throw new ArgumentException($"'{notebook}' is not a notebook's number (\"01\" … \"05\")", nameof(notebook));
    }

    // NaN stays NaN (a run that diverged still has a record).
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
