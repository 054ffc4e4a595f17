using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Makemore.NotebookRunner;

/// <summary>
/// Writes each notebook as a .NET 10 file-based app (notebooks/apps/NN-name.cs), so that the series runs with only the
/// .NET SDK: <c>dotnet run notebooks/apps/03-fixing-the-saturated-tanh.cs</c>. The notebook stays the one source; a
/// test regenerates every app in memory and fails when a committed one differs. Regenerate them all with
/// <c>dotnet run -c Release --project tests/Makemore.NotebookRunner -- --write-apps</c>.
/// </summary>
/// <remarks>
/// The conversion rule. A notebook is a chain of C# script submissions; an app is one file of top-level statements.
/// Each cell is parsed as a script (Roslyn, syntax only) and carried over as text, in order, with these changes:
/// <list type="number">
/// <item>Markdown cells become <c>//</c> comments; each code cell is headed by <c>// cell N</c> (its number in the
/// notebook, from 1).</item>
/// <item><c>#r "nuget: Id, Version"</c> becomes <c>#:package Id</c>: the version comes from Directory.Packages.props
/// (in a file-based app under central package management a <c>#:package Id@Version</c> is error NU1008), and the
/// converter fails if the notebook names another version. <c>#r ".../lib/P/bin/.../X.dll"</c> becomes
/// <c>#:project</c> of lib/P, the project that builds the dll. Any other <c>#r</c>, <c>#i</c> or <c>#!</c> magic is an
/// error naming the line: it has no file-app twin.</item>
/// <item>Every cell's <c>using</c> directives go to the top of the file (a file's usings precede its statements), in
/// order of first appearance, followed by <c>using static Makemore.Notebook.AppHost;</c> (the app's
/// <c>display</c>) and the line <c>AppHost.Start("NN-name");</c> (the notebook's folder as the working directory, the
/// charts' folder, the progress line, Ctrl+C as the stop button).</item>
/// <item>Type declarations (class, record, struct, interface, enum) go to the end of the file, in order (a file-based
/// app's types follow its top-level statements). A script's types cannot use its variables, so moving them changes
/// nothing.</item>
/// <item>A cell that ends with an expression and no <c>;</c> shows that value in a notebook: the app calls
/// <c>display(expression);</c>. (A void call without <c>;</c> would not compile: end it with <c>;</c> in the notebook.)
/// </item>
/// <item>A variable (or script method) declared at the top level of a cell, where an earlier cell declared the same
/// name, is a new variable in the notebook: the app names it <c>name_2</c>, <c>name_3</c>… in that cell and in the
/// cells after it. The earlier cells, and a function they declared, keep reading the earlier variable, as they do
/// in the notebook. A reference is an identifier that is not a member name (<c>x.name</c>), an argument's label
/// (<c>name:</c>) or an initializer's target, and is not inside a lambda or function that declares the name itself.
/// A nested declaration of a top-level statement (a <c>for</c>/<c>foreach</c> variable, a block's local) that has the
/// name of a file-level variable would not compile in one file (CS0136): it is renamed <c>name_</c> within its
/// statement.</item>
/// <item>A top-level variable declared without a value gets <c>= default!</c>: a script's variables are fields, which
/// start as their default, and C# cannot see an assignment made inside a local function before a later read.</item>
/// </list>
/// A script's methods become local functions as they are (the same text). Everything else is the cell's own text.
/// </remarks>
public static class AppConverter
{
    /// <summary>The apps' folder under notebooks/.</summary>
    public const string AppsFolder = "apps";

    /// <summary>The command that rewrites every app (named in each app's header).</summary>
    public const string RegenerateCommand = "dotnet run -c Release --project tests/Makemore.NotebookRunner -- --write-apps";

    /// <summary>The apps' host in the library's notebook side (lib/Makemore.Notebook/AppHost.cs): the one name of the
    /// library the converter writes itself; every other name comes from the notebook's own cells.</summary>
    public const string Host = "Makemore.Notebook.AppHost";

    static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Preview, kind: SourceCodeKind.Script);

    /// <summary>Every notebook's app: (path of the app, its text).</summary>
    public static IReadOnlyList<(string Path, string Text)> All(string repoRoot)
    {
        var versions = CentralVersions(repoRoot);
        string notebooks = Path.Combine(repoRoot, "notebooks");
        return Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal)
            .Select(nb => (AppPath(nb), Convert(File.ReadAllText(nb), Path.GetFileName(nb), versions)))
            .ToList();
    }

    /// <summary>Writes every app; returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string repoRoot)
    {
        var apps = All(repoRoot);
        foreach (var (path, text) in apps)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }
        return apps.Select(a => a.Path).ToList();
    }

    /// <summary>notebooks/apps/NN-name.cs for notebooks/NN-name.ipynb.</summary>
    public static string AppPath(string notebook) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebook))!, AppsFolder, Path.GetFileNameWithoutExtension(notebook) + ".cs");

    /// <summary>The package versions declared in Directory.Packages.props.</summary>
    public static IReadOnlyDictionary<string, string> CentralVersions(string repoRoot) =>
        XDocument.Load(Path.Combine(repoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    /// <summary>The app for one notebook (its JSON text and file name).</summary>
    public static string Convert(string notebookJson, string notebookName, IReadOnlyDictionary<string, string> versions)
    {
        string name = Path.GetFileNameWithoutExtension(notebookName);
        var cells = JsonNode.Parse(notebookJson)?["cells"]?.AsArray()
            ?? throw new InvalidDataException($"{notebookName}: no cells");

        var packages = new List<string>();
        var projects = new List<string>();
        var usings = new List<string>();
        var body = new StringBuilder();
        var types = new StringBuilder();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);   // a notebook name → the app's name
        var declaredCount = new Dictionary<string, int>(StringComparer.Ordinal);
        var fileLevel = new HashSet<string>(StringComparer.Ordinal);            // every top-level name the app declares

        // First pass over the code: what every cell declares, so that nested declarations can avoid those names.
        var parsed = new List<(int Number, string Kind, string Text, CompilationUnitSyntax? Root)>();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i]!;
            string kind = (string?)cell["cell_type"] ?? "";
            string source = Source(cell["source"]);
            if (kind != "code") { parsed.Add((i + 1, kind, source, null)); continue; }
            string code = Directives(source, notebookName, i + 1, versions, packages, projects);
            var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ScriptOptions).GetRoot();
            var errors = root.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
                throw new InvalidDataException($"{notebookName}, cell {i + 1}: {errors[0]}");
            parsed.Add((i + 1, kind, code, root));
        }
        foreach (var root in parsed.Select(p => p.Root).OfType<CompilationUnitSyntax>())
            foreach (string n in TopLevelNames(root).Distinct())
            {
                int count = declaredCount.GetValueOrDefault(n) + 1;
                declaredCount[n] = count;
                fileLevel.Add(count == 1 ? n : $"{n}_{count}");
            }
        declaredCount.Clear();

        foreach (var (number, kind, text, root) in parsed)
        {
            if (root is null)
            {
                if (kind == "markdown" && text.Trim().Length > 0)
                    body.Append('\n').Append(Comment(text));
                continue;
            }
            foreach (var u in root.Usings)
            {
                string line = u.ToString().Trim();
                if (!usings.Contains(line)) usings.Add(line);
            }
            // this cell's top-level names: a name declared before gets the next free suffix
            var declared = TopLevelNames(root);
            foreach (string n in declared.Distinct())
            {
                int count = declaredCount.GetValueOrDefault(n) + 1;
                declaredCount[n] = count;
                names[n] = count == 1 ? n : $"{n}_{count}";
            }
            var edits = new List<(TextSpan Span, string Text)>();
            foreach (var u in root.Usings) edits.Add((u.FullSpan, ""));
            foreach (var member in root.Members)
            {
                if (member is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
                {
                    types.Append('\n').Append(member.ToFullString().Trim('\n')).Append('\n');
                    edits.Add((member.FullSpan, ""));
                    continue;
                }
                edits.AddRange(Renames(member, names));
                edits.AddRange(DefaultValues(member, names));
            }
            if (root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } shown })
            {
                edits.Add((new TextSpan(shown.Expression.SpanStart, 0), "display("));
                edits.Add((new TextSpan(shown.Expression.Span.End, 0), ");"));
            }
            string code = Apply(text, edits).Trim('\n', '\r');
            code = RenameNestedClashes(code, fileLevel);
            body.Append('\n');
            if (code.Trim().Length > 0) body.Append($"// cell {number}\n").Append(code).Append('\n');
            else body.Append($"// cell {number}: its #r and using lines are at the top of this file\n");
        }

        var app = new StringBuilder();
        foreach (string p in packages) app.Append($"#:package {p}\n");
        foreach (string p in projects) app.Append($"#:project {p}\n");
        // as in the notebook's C# kernel: no nullable analysis, and the JIT with reflection (a file-based app is
        // native-AOT by default, which turns off System.Text.Json's reflection, which the run records use)
        app.Append("#:property Nullable=disable\n");
        app.Append("#:property PublishAot=false\n");
        // TorchSharp-cpu brings libtorch for three systems (1.1 GB per app's bin): only this machine's, linked rather
        // than copied from the package cache where the file system allows it
        app.Append("#:property RuntimeIdentifier=$(NETCoreSdkRuntimeIdentifier)\n");
        app.Append("#:property CreateHardLinksForCopyLocalIfPossible=true\n");
        app.Append($"// {name}.cs: notebooks/{notebookName} as a .NET 10 file-based app, generated by tests/Makemore.NotebookRunner/AppConverter.cs\n");
        app.Append("// (the notebook is the source: edit it, then regenerate every app with\n");
        app.Append($"//   {RegenerateCommand}\n");
        app.Append("// ). Run it from the repository: dotnet run notebooks/apps/" + name + ".cs\n");
        app.Append("// Package versions: Directory.Packages.props (" +
                   string.Join(", ", packages.Select(p => $"{p} {versions[p]}")) + ").\n");
        foreach (string u in usings) app.Append(u).Append('\n');
        app.Append($"using static {Host};\n\n");
        app.Append($"{Host}.Start(\"{name}\");\n");
        app.Append(body);
        if (types.Length > 0) app.Append("\n// the notebook's types (a file-based app declares them after its statements)\n").Append(types);
        return app.ToString();
    }

    // Takes the #r lines out of a cell (a blank line keeps the line numbers) and notes what they ask for.
    static string Directives(string source, string notebook, int cell, IReadOnlyDictionary<string, string> versions,
                             List<string> packages, List<string> projects)
    {
        var lines = source.Split('\n');
        for (int k = 0; k < lines.Length; k++)
        {
            string line = lines[k].Trim();
            if (!line.StartsWith('#') || line.StartsWith("#region") || line.StartsWith("#endregion") ||
                line.StartsWith("#if") || line.StartsWith("#else") || line.StartsWith("#endif") || line.StartsWith("#pragma"))
                continue;
            var nuget = Regex.Match(line, "^#r\\s+\"nuget:\\s*([^,\"]+?)\\s*,\\s*([^\"]+?)\\s*\"$");
            var dll = Regex.Match(line, "^#r\\s+\"(?:\\.\\./)+(lib/[^/\"]+)/bin/[^\"]+\\.dll\"$");
            if (nuget.Success)
            {
                string id = nuget.Groups[1].Value, version = nuget.Groups[2].Value;
                if (!versions.TryGetValue(id, out string? central))
                    throw new InvalidDataException($"{notebook}, cell {cell}: package {id} is not declared in Directory.Packages.props");
                if (central != version)
                    throw new InvalidDataException($"{notebook}, cell {cell}: {id} {version}, but Directory.Packages.props has {central}");
                if (!packages.Contains(id)) packages.Add(id);
            }
            else if (dll.Success)
            {
                string project = "../../" + dll.Groups[1].Value;     // from notebooks/apps/
                if (!projects.Contains(project)) projects.Add(project);
            }
            else
                throw new InvalidDataException($"{notebook}, cell {cell}: '{line}' has no file-based app twin");
            lines[k] = "";
        }
        return string.Join('\n', lines);
    }

    // The names a cell declares at its top level: variables (also deconstructed, out and pattern variables of a top-level
    // expression, declaration or if condition) and script methods.
    static List<string> TopLevelNames(CompilationUnitSyntax root)
    {
        var result = new List<string>();
        foreach (var member in root.Members)
        {
            switch (member)
            {
                case FieldDeclarationSyntax field:
                    result.AddRange(field.Declaration.Variables.Select(v => v.Identifier.Text));
                    break;
                case MethodDeclarationSyntax method:
                    result.Add(method.Identifier.Text);
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax local }:
                    result.Add(local.Identifier.Text);
                    break;
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    result.AddRange(local.Declaration.Variables.Select(v => v.Identifier.Text));
                    result.AddRange(Designations(local));
                    break;
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax expression }:
                    result.AddRange(Designations(expression));
                    break;
                case GlobalStatementSyntax { Statement: IfStatementSyntax @if }:
                    result.AddRange(Designations(@if.Condition));
                    break;
            }
        }
        return result;
    }

    // Expression variables (`var (a, b) = …`, `out var x`, `is T x`) not inside a lambda.
    static IEnumerable<string> Designations(SyntaxNode node) =>
        node.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax)
            .OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.Text);

    // The renames of one top-level member: its declarations and references of renamed names.
    static IEnumerable<(TextSpan, string)> Renames(SyntaxNode member, IReadOnlyDictionary<string, string> names)
    {
        foreach (var token in member.DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken)) continue;
            if (!names.TryGetValue(token.Text, out string? renamed) || renamed == token.Text) continue;
            var parent = token.Parent;
            bool declaration = parent switch
            {
                VariableDeclaratorSyntax v => IsTopLevel(v, member),
                SingleVariableDesignationSyntax d => IsTopLevel(d, member),
                MethodDeclarationSyntax m => m == member,
                LocalFunctionStatementSyntax f => f.Parent is GlobalStatementSyntax,
                _ => false,
            };
            if (declaration || (parent is IdentifierNameSyntax id && IsReference(id, token.Text)))
                yield return (token.Span, renamed);
        }
    }

    // Declared in the cell's own scope (a script field), not in a statement's or a function's scope inside it.
    static bool IsTopLevel(SyntaxNode declaration, SyntaxNode member) =>
        member is FieldDeclarationSyntax ||
        (member is GlobalStatementSyntax &&
         !declaration.Ancestors().TakeWhile(a => a != member).Any(a => a is AnonymousFunctionExpressionSyntax or BlockSyntax
             or ForEachStatementSyntax or ForStatementSyntax or UsingStatementSyntax or WhileStatementSyntax or DoStatementSyntax
             or LocalFunctionStatementSyntax or CatchClauseSyntax or SwitchSectionSyntax or FixedStatementSyntax or LockStatementSyntax));

    // An identifier that names the cell-level variable: not a member name, label or initializer target, and not
    // shadowed by a lambda or function around it that declares the same name.
    static bool IsReference(IdentifierNameSyntax id, string name)
    {
        switch (id.Parent)
        {
            case MemberAccessExpressionSyntax ma when ma.Name == id: return false;
            case MemberBindingExpressionSyntax: return false;
            case QualifiedNameSyntax q when q.Right == id: return false;
            case NameColonSyntax or NameEqualsSyntax: return false;
            case AssignmentExpressionSyntax a when a.Left == id && a.Parent is InitializerExpressionSyntax init &&
                                                   init.IsKind(SyntaxKind.ObjectInitializerExpression) || a.Parent is InitializerExpressionSyntax { Parent: WithExpressionSyntax }:
                return false;
        }
        foreach (var scope in id.Ancestors())
        {
            if (scope is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MethodDeclarationSyntax &&
                Declares(scope, name))
                return false;
        }
        return true;
    }

    static bool Declares(SyntaxNode scope, string name) =>
        scope.DescendantNodesAndSelf().Any(n => n switch
        {
            ParameterSyntax p => p.Identifier.Text == name,
            VariableDeclaratorSyntax v => v.Identifier.Text == name,
            SingleVariableDesignationSyntax d => d.Identifier.Text == name,
            ForEachStatementSyntax f => f.Identifier.Text == name,
            CatchDeclarationSyntax c => c.Identifier.Text == name,
            _ => false,
        });

    // `T x;` at the top level → `T x = default!;`
    static IEnumerable<(TextSpan, string)> DefaultValues(SyntaxNode member, IReadOnlyDictionary<string, string> names)
    {
        var declaration = member switch
        {
            FieldDeclarationSyntax f => f.Declaration,
            GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } when !l.IsConst && l.UsingKeyword.IsKind(SyntaxKind.None) => l.Declaration,
            _ => null,
        };
        if (declaration is null) yield break;
        foreach (var v in declaration.Variables)
            if (v.Initializer is null && v.ArgumentList is null)
                yield return (new TextSpan(v.Identifier.Span.End, 0), " = default!");
    }

    // CS0136: a nested declaration in a top-level statement with the name of a file-level variable. Rename it (and its
    // uses inside its statement) name_. Local functions and lambdas may shadow (C# 8), so only statement scopes count.
    static string RenameNestedClashes(string code, HashSet<string> fileLevel)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ScriptOptions).GetRoot();
        var edits = new List<(TextSpan, string)>();
        foreach (var member in root.Members.OfType<GlobalStatementSyntax>())
        {
            if (member.Statement is LocalFunctionStatementSyntax) continue;
            foreach (var node in member.Statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                SyntaxToken identifier = node switch
                {
                    ForEachStatementSyntax f => f.Identifier,
                    VariableDeclaratorSyntax v when !IsTopLevel(v, member) => v.Identifier,
                    SingleVariableDesignationSyntax d when !IsTopLevel(d, member) => d.Identifier,
                    CatchDeclarationSyntax c => c.Identifier,
                    _ => default,
                };
                if (identifier.IsKind(SyntaxKind.None) || !fileLevel.Contains(identifier.Text)) continue;
                if (node is VariableDeclaratorSyntax or SingleVariableDesignationSyntax && IsTopLevel(node, member)) continue;
                // its scope: the nearest enclosing statement-list owner
                SyntaxNode scope = node is ForEachStatementSyntax ? node
                    : node.Ancestors().First(a => a is BlockSyntax or ForStatementSyntax or UsingStatementSyntax or CatchClauseSyntax
                                                  or SwitchSectionSyntax or ForEachStatementSyntax or WhileStatementSyntax or GlobalStatementSyntax);
                string renamed = identifier.Text + "_";
                edits.Add((identifier.Span, renamed));
                foreach (var id in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
                    if (id.Identifier.Text == identifier.Text && IsReference(id, identifier.Text))
                        edits.Add((id.Identifier.Span, renamed));
            }
        }
        return Apply(code, edits);
    }

    static string Apply(string text, IEnumerable<(TextSpan Span, string Text)> edits)
    {
        var sb = new StringBuilder(text);
        foreach (var (span, replacement) in edits.Distinct().OrderByDescending(e => e.Span.Start).ThenByDescending(e => e.Span.End))
        {
            sb.Remove(span.Start, span.Length);
            sb.Insert(span.Start, replacement);
        }
        return sb.ToString();
    }

    static string Comment(string markdown) =>
        string.Concat(markdown.TrimEnd().Split('\n').Select(l => l.Length == 0 ? "//\n" : "// " + l.TrimEnd() + "\n"));

    static string Source(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue v => (string?)v ?? "",
        _ => "",
    };
}
