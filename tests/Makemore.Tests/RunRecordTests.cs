
namespace Makemore.Tests;

/// <summary>The run records that notebooks 01–05 save and 06 reads: what they say a run is, and the file round trip.</summary>
[Collection(InProcessTorch.Name)]
public class RunRecordTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    static string TempFolder() => Path.Combine(Path.GetTempPath(), $"makemore-runrecords-{Guid.NewGuid():N}");

    [Fact]
    public void ALectureRunIsRecordedAsItsStageAndATweakAsYours()
    {
        using var lecture = StageRun.Train(Data, MlpConfig.FixSaturatedTanh, 5, log: TextWriter.Null);
        var ours = RunRecord.Of("03", Data, lecture.Training, lecture.TrainLoss, lecture.ValLoss);
        Assert.Equal(MlpConfig.FixSaturatedTanh.Name, ours.Stage);
        Assert.Equal(5, ours.Steps);
        Assert.Equal(3.3135f, ours.Step0Loss, 4);                 // the lecture's printed step 0
        Assert.Equal((lecture.TrainLoss, lecture.ValLoss), (ours.Train, ours.Val));
        var row = LossLog.Row(ours);
        Assert.Equal(3.3135, row.LectureStep0Loss);               // the lecture's run: its column is there…
        Assert.True(double.IsNaN(row.LectureTrain), "…but not its final losses after 5 of its 200000 steps");
        Assert.Equal(("03", 5), (row.Run, row.Steps));

        using var tweak = StageRun.Train(Data, MlpConfig.FixSaturatedTanh with { W1 = 0.1 }, 5, log: TextWriter.Null);
        var yours = RunRecord.Of("03", Data, tweak.Training, tweak.TrainLoss, tweak.ValLoss);
        Assert.Null(yours.Stage);
        Assert.Equal("W1 × 0.1", yours.Init);
        Assert.Equal("yours: W1 × 0.1", yours.What);
        Assert.StartsWith("no lecture reference for W1 × 0.1: the lecture ran W1 × 0.2", yours.Verdict);
        var yourRow = LossLog.Row(yours);
        Assert.Equal("yours: W1 × 0.1", yourRow.Stage);
        Assert.Null(yourRow.LectureStep0Loss);
        Assert.True(double.IsNaN(yourRow.LectureTrain) && double.IsNaN(yourRow.LectureVal));
        string table = LossLog.Format([row, yourRow]);
        Assert.Matches(@"\n03 +5  yours: W1 × 0\.1 +\d\.\d{4} /      — ", table);
        Assert.Contains("3.3135 / 3.3135", table);
    }

    [Fact]
    public void ARecordReadsBackAsSavedAndTheNextRunReplacesIt()
    {
        string folder = TempFolder();
        try
        {
            Assert.Null(RunRecord.Load("04", folder));            // no folder yet: no record
            var first = new RunRecord("04", MlpConfig.Kaiming.Name, true, MlpConfig.Kaiming.Name, "the lecture's stage …",
                                      200000, 3.3179f, 2.0376f, float.NaN, false, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
            string path = first.Save(folder);
            Assert.Equal(Path.Combine(folder, "04.json"), path);
            var back = RunRecord.Load("04", folder);
            Assert.Equal(first with { Val = 0 }, back! with { Val = 0 });   // NaN != NaN: compared apart
            Assert.True(float.IsNaN(back.Val));
            var second = first with { Stage = null, Init = "W1 × 0.5", Steps = 1000 };
            second.Save(folder);
            Assert.Equal(second with { Val = 0 }, RunRecord.Load("04", folder)! with { Val = 0 });
            Assert.Null(RunRecord.Load("03", folder));
            Assert.Equal(["04.json"], Directory.GetFiles(folder).Select(Path.GetFileName));   // no temp file left
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, true); }
    }

    [Fact]
    public void BadInputGetsAnErrorNamingWhatIsWrong()
    {
        string folder = TempFolder();
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "02.json"), "{ not json");
            var e = Assert.Throws<InvalidDataException>(() => RunRecord.Load("02", folder));
            Assert.Contains(Path.Combine(folder, "02.json"), e.Message);
            Assert.Contains("run 02 again", e.Message);

            var other = new RunRecord("01", null, false, "W1 × 2", "…", 3, 1, 1, 1, false, DateTimeOffset.Now);
            File.WriteAllText(Path.Combine(folder, "02.json"), System.Text.Json.JsonSerializer.Serialize(other));
            Assert.Contains("is not a run record of 02", Assert.Throws<InvalidDataException>(() => RunRecord.Load("02", folder)).Message);

            Assert.Contains("'../03' is not a notebook's number", Assert.Throws<ArgumentException>(() => RunRecord.Load("../03", folder)).Message);
            var empty = new Makemore.Training.TrainingResult();
            Assert.Contains("took no step", Assert.Throws<ArgumentException>(() => RunRecord.Of("03", Data, empty, 1, 1)).Message);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void TheDefaultFolderIsNotebooksRunsOfThisRepository()
    {
        // Only where the environment does not point elsewhere (the variable wins, as the tests' engine runs use it).
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RunRecord.FolderVariable))) return;
        Assert.Equal(Path.Combine(RepoFiles.Notebooks, "runs"), RunRecord.Folder());
    }
}
