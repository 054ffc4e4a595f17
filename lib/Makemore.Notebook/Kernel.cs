using Microsoft.DotNet.Interactive;

namespace Makemore.Notebook;

/// <summary>The running .NET Interactive kernel, where there is one.</summary>
public static class Kernel
{
    /// <summary>What the notebook's stop button cancels; <c>None</c> outside a notebook.</summary>
    public static CancellationToken CancellationToken => KernelInvocationContext.Current?.CancellationToken ?? default;
}
