using System.Reflection;
using System.Reflection.Emit;

namespace Makemore.Tests;

/// <summary>
/// The library's floor plan, read from the compiled assembly: which namespace's code names which other's types (in
/// signatures, fields, base types and method bodies). The arrows must run one way (the README's "Architecture"), and
/// the core must not need the notebook engine.
/// </summary>
public class LibraryStructureTests
{
    static readonly Assembly Core = typeof(Trainer).Assembly;

    [Fact]
    public void TheCoreLibraryDoesNotReferenceTheNotebookEngine()
    {
        // The compiler drops a reference nothing uses, so this is what the core's code actually needs at run time.
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("TorchSharp", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        // and the notebook side is where the engine is used
        var notebookSide = typeof(Makemore.Notebook.Prelude).Assembly;
        Assert.NotEqual(Core, notebookSide);
        Assert.Contains(notebookSide.GetReferencedAssemblies(), a => a.Name == "Microsoft.DotNet.Interactive");
    }

    [Fact]
    public void TheCoresNamespacesDependOnEachOtherOneWay()
    {
        var graph = NamespaceGraph(Core);
        Assert.True(graph.Count >= 6, $"expected the core's rooms, found: {string.Join(", ", graph.Keys)}");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle: {string.Join(" → ", cycle ?? [])}\n{Describe(graph)}");
    }

    [Fact]
    public void TheRoomsAreTheOnesTheReadmeDrawsInTheirOrder()
    {
        // Each room may use only rooms listed before it (the README's Architecture section draws the same list).
        string[] order = ["Text", "Data", "Layers", "Models", "Training", "Diagnostics", "Reference", "Charts"];
        var graph = NamespaceGraph(Core);
        Assert.Equal(order.Select(r => "Makemore." + r).Order(), graph.Keys.Order());
        foreach (var (from, tos) in graph)
            foreach (string to in tos)
                Assert.True(Array.IndexOf(order, Room(to)) < Array.IndexOf(order, Room(from)),
                            $"{from} uses {to}: {to} must come before it, or the use must go");

        static string Room(string ns) => ns["Makemore.".Length..];
    }

    [Fact]
    public void TheCycleCheckFindsACycle()
    {
        // the check itself, on a graph with a cycle put back (Layers naming Training, as Network once did)
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Makemore.Text"] = [],
            ["Makemore.Layers"] = ["Makemore.Text", "Makemore.Training"],
            ["Makemore.Models"] = ["Makemore.Layers"],
            ["Makemore.Training"] = ["Makemore.Models", "Makemore.Text"],
        };
        Assert.Equal(["Makemore.Layers", "Makemore.Training", "Makemore.Models", "Makemore.Layers"], FindCycle(graph));
        graph["Makemore.Layers"].Remove("Makemore.Training");
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void TheGraphSeesUsesInsideMethodBodies()
    {
        // Layers' code builds PyFormat's shape text only inside method bodies (error messages): the scan must see it.
        var graph = NamespaceGraph(Core);
        Assert.Contains("Makemore.Text", graph["Makemore.Layers"]);
    }

    /// <summary>For every namespace of the assembly's own types: the other namespaces of the same assembly whose types
    /// its code names.</summary>
    internal static Dictionary<string, HashSet<string>> NamespaceGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            string? from = Namespace(type);
            if (from is null) continue;
            if (!graph.TryGetValue(from, out var uses)) graph[from] = uses = [];
            foreach (var used in TypesUsedBy(type))
                if (used.Assembly == assembly && Namespace(used) is { } to && to != from)
                    uses.Add(to);
        }
        return graph;
    }

    // Compiler-generated types (closures, iterators) count for the namespace they were generated in.
    static string? Namespace(Type type)
    {
        while (type.IsNested) type = type.DeclaringType!;
        return type.Namespace is { } ns && ns.StartsWith("Makemore", StringComparison.Ordinal) ? ns : null;
    }

    const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                             BindingFlags.Static | BindingFlags.DeclaredOnly;

    static IEnumerable<Type> TypesUsedBy(Type type)
    {
        var found = new List<Type?> { type.BaseType };
        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(All).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(All).Select(p => p.PropertyType));
        var genericArgs = type.IsGenericTypeDefinition ? type.GetGenericArguments() : [];
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo mi) found.Add(mi.ReturnType);
            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            var body = method.GetMethodBody();
            if (body is null) continue;
            found.AddRange(body.LocalVariables.Select(l => l.LocalType));
            found.AddRange(TokensIn(body.GetILAsByteArray() ?? [], method, genericArgs));
        }
        return found.Where(t => t is not null).SelectMany(t => Expand(t!));
    }

    // A type and the types it is built from: List<Layer> uses Layer, Layer[] uses Layer.
    static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType) return Expand(t.GetElementType()!);
        if (t.IsGenericParameter) return [];
        if (t.IsGenericType) return t.GetGenericArguments().SelectMany(Expand).Prepend(t.GetGenericTypeDefinition());
        return [t];
    }

    // Operand sizes of every IL opcode, to walk a method body and resolve its type, method and field tokens.
    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    static IEnumerable<Type?> TokensIn(byte[] il, MethodBase method, Type[] typeArgs)
    {
        var module = method.Module;
        var methodArgs = method.IsGenericMethodDefinition ? method.GetGenericArguments() : [];
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                case OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField:
                    int token = BitConverter.ToInt32(il, i);
                    i += 4;
                    MemberInfo? member = null;
                    try { member = module.ResolveMember(token, typeArgs, methodArgs); } catch (ArgumentException) { }
                    switch (member)
                    {
                        case Type t: yield return t; break;
                        case MethodBase m:
                            yield return m.DeclaringType;
                            if (m is MethodInfo mi) { yield return mi.ReturnType; foreach (var a in mi.GetGenericArguments()) yield return a; }
                            foreach (var p in m.GetParameters()) yield return p.ParameterType;
                            break;
                        case FieldInfo f: yield return f.DeclaringType; yield return f.FieldType; break;
                    }
                    break;
                default: i += 4; break;   // InlineI, InlineR4 (ShortInlineR), InlineBrTarget, InlineString, InlineSig
            }
        }
    }

    /// <summary>One cycle as a path that ends where it starts, or null.</summary>
    internal static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>();   // 1: on the current path, 2: done
        var path = new List<string>();
        foreach (string start in graph.Keys.Order())
            if (Visit(start) is { } cycle) return cycle;
        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2) return null;
            if (state.GetValueOrDefault(node) == 1) return [.. path.SkipWhile(n => n != node), node];
            state[node] = 1;
            path.Add(node);
            foreach (string next in graph.GetValueOrDefault(node, []).Order())
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    static string Describe(Dictionary<string, HashSet<string>> graph) =>
        string.Join("\n", graph.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} → {string.Join(", ", kv.Value.Order())}"));
}
