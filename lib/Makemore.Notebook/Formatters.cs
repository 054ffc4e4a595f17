using System.Net;
using System.Text;
using Makemore.Diagnostics;
using Makemore.Models;
using Makemore.Reference;
using Makemore.Text;
using Makemore.Training;
using Microsoft.DotNet.Interactive.Formatting;

namespace Makemore.Notebook;

/// <summary>
/// How the library's results look when a cell ends with one: a compact HTML table, with the plain text the library
/// prints as its text/plain twin (what a console, a test or a headless run reads). Registered by the prelude.
/// TorchSharp's tensors keep their own formatting.
/// </summary>
public static class Formatters
{
    public static void Register()
    {
        Both<TrainingStatus>(s => Progress(s));
        Both<TrainingResult>(r => Table(
            ["steps", "time", "steps/s", "first loss", "last loss", "path"],
            [[r.Steps.ToString(), $"{r.Elapsed.TotalSeconds:F1} s", $"{r.StepsPerSecond:F0}",
              r.Lossi.Count > 0 ? $"{MathF.Pow(10, r.Lossi[0]):F4}" : "—", $"{r.LastLoss:F4}", r.Fast ? "fast" : "autograd"]]));
        Both<SplitLosses>(l => Table(["split", "loss"], [["train", $"{(double)l.Train}"], ["val", $"{(double)l.Val}"]]));
        Both<IModel>(m => ParameterTable(m.Parameters));    // a Model of cells, a Network, the reference models
        Both<IEnumerable<LossLogRow>>(LossLogTable);
        Both<Reference.GainTable>(GainTable);
        Formatter.Register(typeof(Diagnostics.StatsTable<>), (value, writer) => writer.Write(StatsTable(value)), HtmlFormatter.MimeType);
        Formatter.Register(typeof(Diagnostics.StatsTable<>), (value, writer) => writer.Write(value.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Diagnostics.StatsTable<>), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }

    // An HTML table and the type's own text, both sent: a front end shows the table, a console or a test reads the text.
    static void Both<T>(Func<T, string> html)
    {
        Formatter.Register<T>((value, writer) => writer.Write(html(value)), HtmlFormatter.MimeType);
        Formatter.Register<T>((value, writer) => writer.Write(value?.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }

    /// <summary>The parameters list: index, shape, elements, and the total the lecture prints.</summary>
    public static string ParameterTable(IReadOnlyList<TorchSharp.torch.Tensor> parameters)
    {
        var rows = parameters.Select((p, k) => new[] { k.ToString(), PyFormat.Shape(p.shape), p.numel().ToString() }).ToList();
        rows.Add(["", "total", parameters.Sum(p => p.numel()).ToString()]);
        return Table(["parameter", "shape", "elements"], rows);
    }

    /// <summary>The gain explorer's table: a column per gain, a section heading across the row above its measures, and
    /// the line that says what the marks mean.</summary>
    public static string GainTable(Reference.GainTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder("<table style=\"font-family:monospace\"><thead><tr><th></th>");
        foreach (var c in table.Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        int span = table.Gains.Count + 1;
        foreach (var row in table.Rows)
        {
            if (row.Cells.Count == 0)
            {
                sb.Append($"<tr><td colspan=\"{span}\" style=\"text-align:left;font-weight:bold\">")
                  .Append(WebUtility.HtmlEncode(row.Label)).Append("</td></tr>");
                continue;
            }
            sb.Append("<tr><td style=\"text-align:left;white-space:pre\">").Append(WebUtility.HtmlEncode(row.Label)).Append("</td>");
            foreach (var cell in row.Cells)
                sb.Append("<td style=\"text-align:right\">").Append(WebUtility.HtmlEncode(cell.Text)).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (table.Legend is string legend) sb.Append("<div>").Append(WebUtility.HtmlEncode(legend)).Append("</div>");
        return sb.ToString();
    }

    static string Progress(TrainingStatus s) =>
        $"<div><progress value=\"{s.Steps}\" max=\"{Math.Max(1, s.TotalSteps)}\" style=\"width:16em;vertical-align:middle\"></progress> " +
        $"<code>{WebUtility.HtmlEncode(s.ToString())}</code></div>";

    // A row of rows of plain cells (HTML-encoded here), rows after a header row.
    static string StatsTable(object table)
    {
        var rows = ((System.Collections.IEnumerable)table).Cast<object>().ToList();
        if (rows.Count == 0) return "<i>(no rows)</i>";
        // every public property that prints as one value (a row's histogram is for the charts)
        var columns = rows[0].GetType().GetProperties()
            .Where(p => p.PropertyType.IsPrimitive || p.PropertyType == typeof(string) || p.PropertyType == typeof(long[]))
            .ToList();
        return Table(columns.Select(c => c.Name),
            rows.Select(r => columns.Select(c => Cell(c.GetValue(r)))));
    }

    static string Cell(object? value) => value switch
    {
        long[] shape => PyFormat.Shape(shape),
        double d => PyFormat.Exponent(d, 4),
        float f => PyFormat.Exponent(f, 4),
        _ => value?.ToString() ?? "",
    };

    // The loss log; in notebook 06 each row also says which run it is and how many steps that run took.
    static string LossLogTable(IEnumerable<LossLogRow> rows)
    {
        var list = rows.ToList();
        bool runs = list.Any(r => r.Run is not null);
        string[] lead = runs ? ["run", "steps"] : [];
        return Table([.. lead, "stage", "step 0", "lecture", "train", "lecture", "val", "lecture"],
            list.Select(r => (runs ? new[] { r.Run ?? "", r.Steps?.ToString() ?? "—" } : [])
                .Concat([r.Stage, Number(r.Step0Loss), Number(r.LectureStep0Loss), Number(r.Train),
                         Number(r.LectureTrain), Number(r.Val), Number(r.LectureVal)])));
    }

    static string Number(double? x) => x is double v && !double.IsNaN(v) ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "—";

    static string Number(float? x) => Number((double?)x);

    static string Table(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        var sb = new StringBuilder("<table style=\"font-family:monospace\"><thead><tr>");
        foreach (var h in header) sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append("<td style=\"text-align:right\">").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }
}
