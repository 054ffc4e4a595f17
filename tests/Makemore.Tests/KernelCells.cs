using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace Makemore.Tests;

/// <summary>Cells submitted to the engine's C# kernel in process, as a notebook's cells are run.</summary>
static class KernelCells
{
    /// <summary>Runs <paramref name="code"/> as one cell and fails the test, showing the cell and the kernel's message,
    /// if the kernel reports the cell failed.</summary>
    public static async Task<KernelCommandResult> Submit(this CSharpKernel kernel, string code)
    {
        var result = await kernel.SendAsync(new SubmitCode(code));
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        Assert.True(failed is null, $"{code}\n→ {failed?.Message}");
        return result;
    }
}
