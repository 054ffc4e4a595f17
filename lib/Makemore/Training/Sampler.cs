using Makemore.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Training;

/// <summary>Sampling names from a trained model, as the lecture does: a fresh generator seeded 2147483647 + 10,
/// a context of dots, <c>multinomial(softmax(logits), 1)</c> until the model emits '.'.</summary>
public static class Sampler
{
    public const ulong Seed = 2147483647UL + 10;

    public static IReadOnlyList<string> Sample(IModel model, Vocabulary vocab, int blockSize, int count = 20, ulong seed = Seed)
    {
        var g = new Generator(seed);
        var names = new List<string>(count);
        using var _ = no_grad();
        for (int s = 0; s < count; s++)
        {
            var outIx = new List<int>();
            var context = new long[blockSize];                   // [0] * block_size
            while (true)
            {
                using var scope = NewDisposeScope();
                var logits = model.Forward(tensor(context, [1, blockSize]), training: false);
                var probs = nn.functional.softmax(logits, dim: 1);
                int ix = (int)multinomial(probs, 1, generator: g).item<long>();
                Array.Copy(context, 1, context, 0, blockSize - 1);  // context = context[1:] + [ix]
                context[^1] = ix;
                outIx.Add(ix);
                if (ix == 0) break;
            }
            names.Add(vocab.Decode(outIx));
        }
        return names;
    }
}
