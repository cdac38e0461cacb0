using Spectre.Console;

namespace PgHaInfra.Cli;

/// <summary>Where commands write: results to standard output, errors and progress to standard error.</summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error)
{
    public static CliConsoles System() => new(
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }),
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));
}
