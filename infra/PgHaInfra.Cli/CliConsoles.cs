using PgHaInfra.Messages;
using Spectre.Console;

namespace PgHaInfra.Cli;

/// <summary>Where commands write: results to standard output, errors and progress to standard error.</summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error)
{
    public static CliConsoles System() => new(
        Create(Console.Out, Console.IsOutputRedirected),
        Create(Console.Error, Console.IsErrorRedirected));

    /// <summary>
    /// Writes one message to stderr: not wrapped at the terminal width, so an error stays one greppable line
    /// (file:line: key = value: problem. Allowed: ...). Control characters are escaped, so no escape byte reaches the
    /// terminal raw; a message of several lines (a tool's output) continues indented, so none of them can pass for an
    /// error line of its own.
    /// </summary>
    public void ErrorLine(string message)
    {
        var lines = message.Split(["\r\n", "\n", "\r"], StringSplitOptions.None);
        var writer = Error.Profile.Out.Writer;
        writer.WriteLine(Shown.Line(lines[0]));
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            writer.WriteLine("  " + Shown.Line(line));
        }
    }

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
