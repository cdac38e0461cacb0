using System.Globalization;
using PgHaInfra.Local;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands;

/// <summary>Prints each finished engine step to stderr: node, step, how long it took, and why (when there is a reason).</summary>
public sealed class ProgressPrinter(IAnsiConsole console, bool enabled = true) : IEngineProgress
{
    private readonly Lock gate = new();

    public void Report(EngineStep step)
    {
        if (!enabled || step.Elapsed is not { } elapsed)
        {
            return;
        }

        var time = elapsed.TotalSeconds >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms");
        lock (gate)
        {
            console.Profile.Out.Writer.Write($"  {step.Node,-10} {step.Step,-34} {time,8}{(step.Detail is { } d ? "  " + d : "")}\n");
        }
    }
}
