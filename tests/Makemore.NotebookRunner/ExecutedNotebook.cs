using System.Text.Json.Nodes;

namespace Makemore.NotebookRunner;

/// <summary>One cell of an executed notebook: its source and what it printed or displayed.</summary>
public sealed record CellResult(int Index, string Kind, string Source, IReadOnlyList<CellOutput> Outputs)
{
    public CellOutput? Error => Outputs.FirstOrDefault(o => o.Kind == "error");
    /// <summary>All text/plain stream and display text of the cell, concatenated.</summary>
    public string Text => string.Concat(Outputs.Select(o => o.Text));
}

/// <summary>One output: kind is the .ipynb output_type (stream, display_data, execute_result, error); Data maps
/// MIME type to content.</summary>
public sealed record CellOutput(string Kind, IReadOnlyDictionary<string, string> Data)
{
    public string Text => Data.TryGetValue("text/plain", out var t) ? t : "";
}

/// <summary>An .ipynb read back after execution.</summary>
public sealed class ExecutedNotebook
{
    public required string Path { get; init; }
    public required IReadOnlyList<CellResult> Cells { get; init; }

    public IEnumerable<CellResult> CodeCells => Cells.Where(c => c.Kind == "code");
    public CellResult? FirstFailedCell => CodeCells.FirstOrDefault(c => c.Error is not null);
    public string AllText => string.Concat(CodeCells.Select(c => c.Text));

    /// <summary>Outputs that carry a Plotly.NET chart (HTML with a <c>Plotly.newPlot</c> call), in order.</summary>
    public IEnumerable<string> PlotlyCharts => HtmlOutputs
        .Where(html => html.Contains("Plotly.newPlot", StringComparison.Ordinal) && !IsPlotlyJs(html));

    /// <summary>Outputs that carry plotly.js itself (the prelude's, marked by lib/Makemore.Notebook/ChartDisplay.cs;
    /// plotly.js contains the text "Plotly.newPlot" too).</summary>
    public IEnumerable<string> PlotlyJsOutputs => HtmlOutputs.Where(IsPlotlyJs);

    IEnumerable<string> HtmlOutputs => CodeCells.SelectMany(c => c.Outputs)
        .Select(o => o.Data.TryGetValue("text/html", out var html) ? html : "")
        .Where(html => html.Length > 0);

    static bool IsPlotlyJs(string html) => html.StartsWith("<div id=\"makemore-plotly-js\"", StringComparison.Ordinal);

    public static ExecutedNotebook Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty notebook");
        var cells = new List<CellResult>();
        foreach (var cell in root["cells"]?.AsArray() ?? [])
        {
            var outputs = new List<CellOutput>();
            foreach (var output in cell!["outputs"]?.AsArray() ?? [])
            {
                string kind = (string?)output!["output_type"] ?? "";
                var data = new Dictionary<string, string>();
                if (kind == "stream") data["text/plain"] = Join(output["text"]);
                else if (kind == "error") data["text/plain"] = $"{output["ename"]}: {output["evalue"]}";
                else if (output["data"] is JsonObject mimes)
                    foreach (var (mime, value) in mimes) data[mime] = Join(value);
                outputs.Add(new CellOutput(kind, data));
            }
            cells.Add(new CellResult(cells.Count, (string?)cell["cell_type"] ?? "", Join(cell["source"]), outputs));
        }
        return new ExecutedNotebook { Path = path, Cells = cells };
    }

    // .ipynb stores multi-line text either as one string or as a list of lines.
    static string Join(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue v when v.TryGetValue(out string? s) => s ?? "",
        _ => node.ToJsonString(),
    };
}
