using Makemore.Data;
using Makemore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>Sampling names from a trained model, as the lecture does: a fresh generator seeded 2147483647 + 10,
/// a context of dots, <c>multinomial(softmax(logits), 1)</c> until the model emits '.'.</summary>
public static class Sampler
{
    /// <summary>The longest name drawn: a model that never picks '.' (an untrained or broken one) would otherwise draw
    /// for ever. A name cut there ends in "…" instead of ".".</summary>
    internal const int MaxLength = 100;

    public static IReadOnlyList<string> Sample(IModel model, Vocabulary vocab, int blockSize, int count = 20, ulong seed = LectureSettings.SampleSeed,
                                              int maxLength = MaxLength, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (cancellation == default) cancellation = Trainer.AmbientCancellation?.Invoke() ?? default;
        var g = new Generator(seed);
        var names = new List<string>(count);
        using var _ = no_grad();
        for (int s = 0; s < count; s++)
        {
            var outIx = new List<int>();
            var context = new long[blockSize];                   // [0] * block_size
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                if (outIx.Count == maxLength) break;
                using var scope = NewDisposeScope();
                var logits = model.Forward(tensor(context, [1, blockSize]), training: false);
                var probs = nn.functional.softmax(logits, dim: 1);
                int ix = (int)multinomial(probs, 1, generator: g).item<long>();
                Array.Copy(context, 1, context, 0, blockSize - 1);  // context = context[1:] + [ix]
                context[^1] = ix;
                outIx.Add(ix);
                if (ix == 0) break;
            }
            names.Add(outIx[^1] == 0 ? vocab.Decode(outIx) : vocab.Decode(outIx) + "…");
        }
        return names;
    }
}
