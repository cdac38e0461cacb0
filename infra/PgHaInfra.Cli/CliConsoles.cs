using Spectre.Console;

namespace PgHaInfra.Cli;

/// <summary>Where commands write: results to standard output, errors and progress to standard error.</summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error)
{
    public static CliConsoles System() => new(
        Create(Console.Out, Console.IsOutputRedirected),
        Create(Console.Error, Console.IsErrorRedirected));

    /// <summary>Redirected output (a log, a pipe) is not wrapped at 80 columns: messages and tables stay whole for grep.</summary>
    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
