using System.Text;

namespace Makemore.Part1;

/// <summary>
/// What a training run printed, kept line by line while it still goes to the notebook's output, so it can be put
/// next to the lecture's printout (<see cref="LectureReference.Part1BatchNormTrainingLog"/>).
/// </summary>
public sealed class PrintedLog : TextWriter
{
    readonly TextWriter inner;
    readonly StringBuilder text = new();

    /// <summary>Forwards everything to <paramref name="inner"/> (the console when null) and remembers it.</summary>
    public PrintedLog(TextWriter? inner = null) => this.inner = inner ?? Console.Out;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        inner.Write(value);
        text.Append(value);
    }

    public override void Write(string? value)
    {
        inner.Write(value);
        text.Append(value);
    }

    public override void WriteLine(string? value)
    {
        inner.WriteLine(value);
        text.Append(value).Append('\n');
    }

    public override void Flush() => inner.Flush();

    /// <summary>The complete lines printed so far.</summary>
    public IReadOnlyList<string> Lines =>
        text.ToString().Replace("\r\n", "\n").Split('\n').SkipLast(1).ToArray();
}
