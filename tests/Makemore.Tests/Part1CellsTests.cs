using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>
/// Part 1's model written the way notebooks 01–05 write it: the parameters drawn by literal lines in the lecture's
/// order, a forward-pass function, <see cref="Model"/> between them and the library's loop. Held against the library's
/// reference stages (<see cref="Mlp"/>) and the lecture's loop, bit for bit.
/// </summary>
[Collection(InProcessTorch.Name)]
public class Part1CellsTests
{
    static readonly Makemore.Data.Dataset Data = Part1TestData.Data;

    /// <summary>The cells of a part-1 notebook: the parameters cell and the forward-pass cell.</summary>
    sealed class Cells
    {
        public Generator g = null!;
        public Tensor C = null!, W1 = null!, b1 = null!, W2 = null!, b2 = null!;
        public Tensor bngain = null!, bnbias = null!, bnmean_running = null!, bnstd_running = null!;
        public Tensor hpreact = null!, h = null!;
        public List<Tensor> parameters = null!;
        public bool batchNorm;

        // The parameters cell of each notebook (01: starter … 05: BatchNorm), as the notebooks write it.
        public static Cells Stage(int stage, double w1Scale = double.NaN)
        {
            int n_embd = 10, n_hidden = 200, vocab_size = 27, block_size = 3;
            var c = new Cells { g = new Generator(2147483647) };
            var g = c.g;
            c.C = torch.randn(vocab_size, n_embd, generator: g);
            switch (stage)
            {
                case 0:
                    c.W1 = torch.randn(n_embd * block_size, n_hidden, generator: g);
                    c.b1 = torch.randn(n_hidden, generator: g);
                    c.W2 = torch.randn(n_hidden, vocab_size, generator: g);
                    c.b2 = torch.randn(vocab_size, generator: g);
                    break;
                case 1:
                    c.W1 = torch.randn(n_embd * block_size, n_hidden, generator: g);
                    c.b1 = torch.randn(n_hidden, generator: g);
                    c.W2 = torch.randn(n_hidden, vocab_size, generator: g) * 0.01;
                    c.b2 = torch.randn(vocab_size, generator: g) * 0;
                    break;
                case 2:
                    c.W1 = torch.randn(n_embd * block_size, n_hidden, generator: g) * (double.IsNaN(w1Scale) ? 0.2 : w1Scale);
                    c.b1 = torch.randn(n_hidden, generator: g) * 0.01;
                    c.W2 = torch.randn(n_hidden, vocab_size, generator: g) * 0.01;
                    c.b2 = torch.randn(vocab_size, generator: g) * 0;
                    break;
                case 3:
                    c.W1 = torch.randn(n_embd * block_size, n_hidden, generator: g) * (5.0 / 3) / Math.Sqrt(n_embd * block_size);
                    c.b1 = torch.randn(n_hidden, generator: g) * 0.01;
                    c.W2 = torch.randn(n_hidden, vocab_size, generator: g) * 0.01;
                    c.b2 = torch.randn(vocab_size, generator: g) * 0;
                    break;
                case 4:
                    c.W1 = torch.randn(n_embd * block_size, n_hidden, generator: g) * (5.0 / 3) / Math.Sqrt(n_embd * block_size);
                    // b1 = torch.randn(n_hidden, generator: g) * 0.01;
                    c.W2 = torch.randn(n_hidden, vocab_size, generator: g) * 0.01;
                    c.b2 = torch.randn(vocab_size, generator: g) * 0;
                    c.bngain = torch.ones(1, n_hidden);
                    c.bnbias = torch.zeros(1, n_hidden);
                    c.bnmean_running = torch.zeros(1, n_hidden);
                    c.bnstd_running = torch.ones(1, n_hidden);
                    c.batchNorm = true;
                    break;
            }
            c.parameters = c.batchNorm ? [c.C, c.W1, c.W2, c.b2, c.bngain, c.bnbias] : [c.C, c.W1, c.b1, c.W2, c.b2];
            foreach (var p in c.parameters) p.requires_grad = true;
            return c;
        }

        // The forward-pass cell of notebooks 01–04.
        public Tensor Forward(Tensor Xb)
        {
            var emb = C[Xb];                            // embed the characters into vectors
            var embcat = emb.view(emb.shape[0], -1);    // concatenate the vectors
            hpreact = embcat.mm(W1) + b1;               // hidden layer pre-activation
            h = torch.tanh(hpreact);                    // hidden layer
            var logits = h.mm(W2) + b2;                 // output layer
            return logits;
        }

        // The forward-pass cell of notebook 05.
        public Tensor ForwardBatchNorm(Tensor Xb, bool training)
        {
            var emb = C[Xb];
            var embcat = emb.view(emb.shape[0], -1);
            hpreact = embcat.mm(W1); // + b1
            if (training)
            {
                var bnmeani = hpreact.mean([0], keepdim: true);
                var bnstdi = hpreact.std(0, keepdim: true);
                hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias;
                using (torch.no_grad())
                {
                    bnmean_running.mul_(0.999).add_(0.001 * bnmeani);
                    bnstd_running.mul_(0.999).add_(0.001 * bnstdi);
                }
            }
            else
                hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias;
            h = torch.tanh(hpreact);
            var logits = h.mm(W2) + b2;
            return logits;
        }

        public Model Model => batchNorm
            ? new Model(parameters, ForwardBatchNorm, buffers: [bnmean_running, bnstd_running])
            : new Model(parameters, Forward);
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void TheCellsDrawTheReferenceStageBitForBit(int stage)
    {
        var cells = Cells.Stage(stage);
        using var reference = Mlp.Create(MlpConfig.Stages[stage], 27, 3).Model;
        Assert.Equal(reference.Parameters.Count, cells.parameters.Count);
        for (int k = 0; k < cells.parameters.Count; k++)
            Assert.True(cells.parameters[k].Exactly(reference.Parameters[k]), $"parameter {k}");
        Assert.Equal(stage == 4 ? 12097 : 11897, cells.parameters.Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(0)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void TheCellsTrainBitForBitAsTheLecturesLoop(int stage)
    {
        const int steps = 30;
        var (oracle, g1) = Mlp.Create(MlpConfig.Stages[stage], Data.Vocab.Size, Data.BlockSize);
        var expected = TrainerTests.LectureLoop(oracle, g1, steps, LectureSettings.Part1DecayStep, ud: false);
        var cells = Cells.Stage(stage);
        var result = Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: steps), TextWriter.Null);
        Assert.Equal(expected.Lossi, result.Lossi);
        for (int k = 0; k < cells.parameters.Count; k++)
            Assert.True(cells.parameters[k].Exactly(oracle.Parameters[k]), $"parameter {k} after {steps} steps");
        if (stage == 4)
        {
            Assert.True(cells.bnmean_running.Exactly(oracle.bn!.bnmean_running), "running mean");
            Assert.True(cells.bnstd_running.Exactly(oracle.bn!.bnstd_running), "running std");
            // evaluation mode reads the running statistics, as the reference does
            Assert.Equal(Evaluation.SplitLoss(oracle, Data.Xdev, Data.Ydev), Evaluation.SplitLoss(cells.Model, Data.Xdev, Data.Ydev));
        }
    }

    [Theory]
    [InlineData(0, "27.8817")] [InlineData(1, "3.3221")] [InlineData(2, "3.3135")] [InlineData(3, "3.3179")] [InlineData(4, "3.3239")]
    public void TheFirstStepIsStepZeroWithoutTheUpdate(int stage, string printed)
    {
        var cells = Cells.Stage(stage);
        var before = cells.parameters.Select(p => p.detach().clone()).ToList();
        var first = Trainer.FirstStep(cells.Model, Data.Xtr, Data.Ytr, cells.g);
        Assert.Equal($"step 0 loss: {printed}", first.ToString());                   // the lecture's step-0 line
        Assert.Equal([32, 200], cells.h.shape);                                      // the forward pass left h for the cells
        for (int k = 0; k < before.Count; k++) Assert.True(cells.parameters[k].Exactly(before[k]), "no update");
        if (stage == 4)
        {
            Assert.True(cells.bnmean_running.Exactly(zeros(1, 200)), "the running mean is put back");
            Assert.True(cells.bnstd_running.Exactly(ones(1, 200)), "the running std is put back");
        }
        // the generator is where it was: a training run after the probe prints the same first line
        var log = new StringWriter();
        Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: 1), log);
        Assert.Equal($"      0/      1: {printed}", log.ToString().TrimEnd());
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void TheComparisonFindsTheLecturesStageFromWhatRanNotFromAName(int stage)
    {
        var cells = Cells.Stage(stage);
        var result = Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: 3), TextWriter.Null);
        var match = Part1Reference.Match(Data, result);
        Assert.Equal(MlpConfig.Stages[stage], match.Stage);
        Assert.False(match.FullRun);
        Assert.EndsWith("no lecture reference for the losses after 3 steps: the lecture trained 200000", match.Verdict);
        string text = LectureComparison.Compare(Data, result, 2.5f, 2.6f);
        string step0 = LectureReference.Part1(MlpConfig.Stages[stage].Name).Step0Loss!.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{step0} / {step0}", text);                       // step 0: ours next to the lecture's
        Assert.Contains("2.5000 /      —", text);                          // no final reference after 3 steps
    }

    [Fact]
    public void ATweakedScaleGetsOneLineSayingWhatTheLectureRan()
    {
        var cells = Cells.Stage(2, w1Scale: 0.1);
        var result = Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: 3), TextWriter.Null);
        Assert.Equal("no lecture reference for W1 × 0.1: the lecture ran W1 × 0.2 (its stage 'fix tanh layer too saturated at init')",
                     LectureComparison.Compare(Data, result, 2.5f, 2.6f));
    }

    [Fact]
    public void AnotherForwardPassIsNotTheLecturesStage()
    {
        var cells = Cells.Stage(3);
        var relu = new Model(cells.parameters, Xb => torch.nn.functional.relu(cells.C[Xb].view(Xb.shape[0], -1).mm(cells.W1) + cells.b1).mm(cells.W2) + cells.b2);
        var result = Trainer.Train(relu, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: 1), TextWriter.Null);
        var match = Part1Reference.Match(Data, result);
        Assert.Null(match.Stage);
        Assert.StartsWith("no lecture reference: the parameters at init are the lecture's stage 'use semi-principled \"kaiming init\"', but the forward pass is not", match.Verdict);
        Assert.Contains("the lecture's is 3.3179", match.Verdict);
    }

    [Fact]
    public void AFullRunOfTheLecturesSettingsGetsTheLecturesFinalLossesAndPrintout()
    {
        // What 200000 steps of the BatchNorm stage leave: its options, its init and its first loss (the rest of lossi
        // does not decide the match).
        var cells = Cells.Stage(4);
        var oneStep = Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g, new TrainingOptions(MaxSteps: 1), TextWriter.Null);
        var full = new TrainingResult { Options = Part1Reference.LectureOptions, Initial = oneStep.Initial };
        full.Lossi.AddRange(Enumerable.Repeat(oneStep.Lossi[0], 200_000));
        full.Printed.AddRange(LectureReference.Part1BatchNormTrainingLog);
        string text = LectureComparison.Compare(Data, full, 2.0674145f, 2.1056840f);
        Assert.StartsWith("the lecture's stage 'add batch norm layer': the same parameters at init (bit for bit), the same first loss, the same 200000 steps", text);
        Assert.Contains("2.0674 / 2.0674", text);
        Assert.Contains("2.1057 / 2.1057", text);
        Assert.Contains("20 of 20 lines identical to the lecture's", text);
        // the same init with another schedule is only compared at step 0
        var shorter = new TrainingResult { Options = Part1Reference.LectureOptions with { LearningRateDecayStep = 50_000 }, Initial = oneStep.Initial };
        shorter.Lossi.AddRange(full.Lossi);
        Assert.False(Part1Reference.Match(Data, shorter).FullRun);
    }

    [Fact]
    public void AShapeMistakeInTheForwardPassIsAnErrorNamingBothShapes()
    {
        var cells = Cells.Stage(3);
        cells.W1 = torch.randn(40, 200, generator: cells.g);         // n_embd * block_size is 30, not 40
        cells.parameters[1] = cells.W1;
        cells.W1.requires_grad = true;
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g,
            new TrainingOptions(MaxSteps: 1), TextWriter.Null));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (32x30 and 40x200)", e.Message);
        Assert.IsType<ExternalException>(e.InnerException);
    }

    [Fact]
    public void AContextLengthOrACharacterTheModelCannotTakeIsNamedWithWhatTheDataHolds()
    {
        var cells = Cells.Stage(3);
        var twoCharacters = Data.Xtr.narrow(1, 0, 2).contiguous();     // block_size 2 for a model of block_size 3
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(cells.Model, twoCharacters, Data.Ytr, cells.g,
            new TrainingOptions(MaxSteps: 1), TextWriter.Null));
        Assert.Contains("(32x20 and 30x200)", e.Message);
        Assert.Contains("The contexts are (32, 2) (block_size 2) and hold character indices 0…26", e.Message);

        var outside = Data.Xtr.clone();
        outside[0, 0] = torch.tensor(40L);                             // a character the 27-row embedding table lacks
        var e2 = Assert.Throws<ArgumentException>(() => Trainer.Train(cells.Model, outside.narrow(0, 0, 1).repeat(100, 1), Data.Ytr.narrow(0, 0, 100),
            cells.g, new TrainingOptions(MaxSteps: 1), TextWriter.Null));
        Assert.Contains("hold character indices 0…40", e2.Message);
    }

    [Fact]
    public void AParameterWithoutRequiresGradOrUnusedByTheForwardPassIsNamed()
    {
        var cells = Cells.Stage(3);
        cells.W2.requires_grad = false;
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(cells.Model, Data.Xtr, Data.Ytr, cells.g,
            new TrainingOptions(MaxSteps: 1), TextWriter.Null));
        Assert.StartsWith("parameter 3 (200, 27) does not require grad", e.Message);

        cells = Cells.Stage(3);
        var stale = torch.randn(200, 27).requires_grad_();               // in the list, but not what Forward reads
        var unused = new Model([.. cells.parameters, stale], cells.Forward);
        var e2 = Assert.Throws<InvalidOperationException>(() => Trainer.Train(unused, Data.Xtr, Data.Ytr, cells.g,
            new TrainingOptions(MaxSteps: 1), TextWriter.Null));
        Assert.StartsWith("parameter 5 (200, 27) got no gradient", e2.Message);
    }
}
