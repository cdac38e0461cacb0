using System.Diagnostics;

namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>pgha run as its own process (the built pgha apphost beside the tests): real exit codes and real stderr bytes.</summary>
internal sealed record PghaProcess(int ExitCode, string Out, string Error)
{
    private static readonly string Pgha = Path.Combine(AppContext.BaseDirectory, "pgha");

    /// <param name="asUser">Run as this OS user (through runuser), for what root may always do, such as reading any folder.</param>
    public static async Task<PghaProcess> RunAsync(string[] args, string? asUser = null)
    {
        var start = new ProcessStartInfo(asUser is null ? Pgha : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asUser is not null)
        {
            foreach (var a in new[] { "-u", asUser, "--", Pgha })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new PghaProcess(process.ExitCode, await stdout, await stderr);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
