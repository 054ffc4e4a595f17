namespace Makemore.Data;

/// <summary>The data set as the lecture prints it.</summary>
public static class DatasetText
{
    /// <summary><c>print(X.shape, Y.shape)</c> for train, dev and test, as <c>build_dataset</c> does.</summary>
    public static string SplitShapes(this Dataset data) => string.Join('\n',
        new[] { (data.Xtr, data.Ytr), (data.Xdev, data.Ydev), (data.Xte, data.Yte) }
            .Select(s => $"torch.Size([{string.Join(", ", s.Item1.shape)}]) torch.Size([{string.Join(", ", s.Item2.shape)}])"));

    /// <summary>The first <paramref name="count"/> training examples as <c>context ---> target</c> (e.g.
    /// <c>... ---> y</c>, <c>..y ---> u</c>): what the network sees and what it must predict.</summary>
    public static string FirstExamples(this Dataset data, int count = 10)
    {
        long n = Math.Min(count, data.Xtr.shape[0]);
        var x = data.Xtr[..(int)n].data<long>().ToArray();
        var y = data.Ytr[..(int)n].data<long>().ToArray();
        return string.Join('\n', Enumerable.Range(0, (int)n).Select(i =>
            $"{data.Vocab.Decode(x.Skip(i * data.BlockSize).Take(data.BlockSize).Select(v => (int)v))} ---> {data.Vocab.Decode((int)y[i])}"));
    }
}
