using PgHaInfra.Cli;
using Spectre.Console.Testing;

namespace PgHaInfra.Core.Tests.Cli;

/// <summary>One in-process run of pgha: the real app (every registered verb) on recording consoles.</summary>
internal sealed record PghaRun(int ExitCode, string Out, string Error)
{
    public static async Task<PghaRun> RunAsync(params string[] args)
    {
        using var output = new TestConsole();
        using var error = new TestConsole();
        output.Profile.Width = 200;
        var exitCode = await PghaApp.RunAsync(new CliConsoles(output, error), args, CancellationToken.None);
        return new PghaRun(exitCode, output.Output, error.Output);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
