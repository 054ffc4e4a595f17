using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Makemore.Notebook;

/// <summary>
/// Charts that render without internet. Plotly.NET.Interactive's formatter loads plotly.js and require.js from a CDN,
/// so offline every chart is an empty box. <see cref="Register"/> (called by the prelude) replaces it with a formatter
/// that writes a div and a plain <c>Plotly.newPlot</c> call, and puts plotly.js itself, which Plotly.NET ships inside
/// its own assembly, into the prelude cell's output: once per notebook (~3.5 MB), not once per chart.
/// </summary>
/// <remarks>
/// A chart whose page has no plotly.js (a notebook reopened without re-running the prelude cell, a renderer that runs
/// no scripts, GitHub) shows a line of text saying so instead of an empty box. A chart rendered before the prelude's
/// output (the order a reopened notebook may render in) draws itself when plotly.js arrives.
/// </remarks>
public static class ChartDisplay
{
    /// <summary>The plotly.js version Plotly.NET embeds (and its CDN reference names).</summary>
    public static string PlotlyJsVersion => Globals.PLOTLYJS_VERSION;

    /// <summary>The id of the element that precedes the embedded plotly.js: marks the prelude's output, so tools can
    /// tell it from the charts (plotly.js itself contains the text "Plotly.newPlot").</summary>
    public const string PlotlyJsMarker = "makemore-plotly-js";

    /// <summary>The class of every chart's div.</summary>
    public const string ChartClass = "makemore-chart";

    /// <summary>The text a chart shows where no plotly.js has been loaded on the page.</summary>
    public const string NoPlotlyText = "plotly.js is not loaded on this page: run the prelude cell (Prelude.Setup()) to draw this chart";

    // The event the prelude's output sends once window.Plotly exists.
    const string ReadyEvent = "makemore-plotly-ready";

    static readonly object Gate = new();
    static bool registered;
    static string? plotlyJsHtml;

    /// <summary>
    /// Registers the chart formatter (once) and, inside a notebook cell, displays plotly.js (every call: re-running the
    /// prelude cell after reopening a notebook loads it again). Run it after the <c>#r "nuget: Plotly.NET.Interactive"</c>
    /// line: that package's formatter is registered when the line runs, and the formatter registered last wins.
    /// </summary>
    // Not inlined into the prelude: compiling this method loads Plotly.NET, whose FSharp.Core 10.1 reference only
    // resolves once the prelude has installed its redirect.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Register()
    {
        lock (Gate)
        {
            if (!registered)
            {
                Formatter.Register<GenericChart>((chart, writer) => writer.Write(Html(chart)), HtmlFormatter.MimeType);
                Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
                registered = true;
            }
        }
        KernelInvocationContext.Current?.DisplayAs(PlotlyJsHtml(), HtmlFormatter.MimeType);
    }

    /// <summary>A chart as HTML: a div that says plotly.js is missing until the script below it draws the chart there.
    /// No require.js, no CDN: it uses <c>window.Plotly</c>, which the prelude's output defines.</summary>
    public static string Html(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toJson(chart))!.AsObject();
        string title = (string?)figure["layout"]?["title"]?["text"] ?? "";
        int? width = (int?)figure["layout"]?["width"], height = (int?)figure["layout"]?["height"];
        string id = "makemore-chart-" + Guid.NewGuid().ToString("N");
        string size = (width is int w ? $"width:{w}px;" : "") + (height is int h ? $"min-height:{h}px;" : "");
        string message = (title.Length > 0 ? $"Chart “{title}”: " : "") + NoPlotlyText;
        return $$"""
            <div id="{{id}}" class="{{ChartClass}}" style="{{size}}">{{WebUtility.HtmlEncode(message)}}</div>
            <script type="text/javascript">
            (function () {
              var figure = {{ScriptSafe(figure.ToJsonString())}};
              function draw() {
                var div = document.getElementById('{{id}}');
                if (!div || !window.Plotly) return false;
                div.textContent = '';
                Plotly.newPlot(div, figure.data, figure.layout, figure.config || {});
                return true;
              }
              if (!draw()) window.addEventListener('{{ReadyEvent}}', function once() {
                if (draw()) window.removeEventListener('{{ReadyEvent}}', once);
              });
            })();
            </script>
            """;
    }

    /// <summary>The prelude's output: Plotly.NET's embedded plotly.js, defining <c>window.Plotly</c>, and a line
    /// saying what it is.</summary>
    public static string PlotlyJsHtml()
    {
        lock (Gate)
        {
            if (plotlyJsHtml is not null) return plotlyJsHtml;
            string plotlyJs = PlotlyJs();
            var html = new StringBuilder(plotlyJs.Length + 1000);
            html.Append($"<div id=\"{PlotlyJsMarker}\" style=\"font:12px sans-serif;color:#666\">")
                .Append($"plotly.js {PlotlyJsVersion} for this notebook's charts, embedded here (no internet needed). ")
                .Append("After reopening the notebook, run this cell again.</div>\n")
                .Append("<script type=\"text/javascript\">\n")
                // Hide AMD/CommonJS loaders (require.js may be on the page, e.g. from Plotly.NET.Interactive), so the
                // bundle sets window.Plotly instead of registering a module.
                .Append("(function (define, module, exports) {\n")
                .Append(ScriptSafe(plotlyJs))
                .Append("\n}).call(window);\n")
                .Append($"window.dispatchEvent(new Event('{ReadyEvent}'));\n")
                .Append("</script>\n");
            return plotlyJsHtml = html.ToString();
        }
    }

    /// <summary>plotly.js itself, as Plotly.NET embeds it (the file-based apps write it beside their chart pages).</summary>
    public static string PlotlyJs()
    {
        string resource = $"Plotly.NET.plotly-{PlotlyJsVersion}.min.js";
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"Plotly.NET {typeof(GenericChart).Assembly.GetName().Version} has no embedded resource '{resource}': " +
                "charts cannot be drawn offline with this version (see ChartDisplay).");
        return new StreamReader(stream, Encoding.UTF8).ReadToEnd();
    }

    // Inside <script>, "</script" would end the element early: escape its slash ("<\/" means "</" in a JS string).
    static string ScriptSafe(string js) =>
        System.Text.RegularExpressions.Regex.Replace(js, "</(?=script)", "<\\/", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
}
