using System.Diagnostics;

namespace PgHaInfra.Core.Tests.Hostile;

/// <summary>pgha run as its own process (the built pgha apphost beside the tests): real exit codes and real stderr bytes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed record PghaProcess(int ExitCode, string Out, string Error)
{
    private static readonly string Pgha = Path.Combine(AppContext.BaseDirectory, "pgha");

    /// <param name="asUser">Run as this OS user (through runuser), for what root may always do, such as reading any folder.</param>
    public static async Task<PghaProcess> RunAsync(string[] args, string? asUser = null)
    {
        if (asUser is null)
        {
            return await RunAsync(Pgha, args, null);
        }

        // The checkout may sit where the other user cannot reach it (CI's clone in a 0700 temp folder): run a copy of
        // the built program from a folder that user can enter.
        var copy = Directory.CreateTempSubdirectory("pgha-as-user-");
        try
        {
            copy.UnixFileMode = (UnixFileMode)0b111_101_101;
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            {
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            }

            return await RunAsync(Path.Combine(copy.FullName, "pgha"), args, asUser);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static async Task<PghaProcess> RunAsync(string pgha, string[] args, string? asUser)
    {
        var start = new ProcessStartInfo(asUser is null ? pgha : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asUser is not null)
        {
            foreach (var a in new[] { "-u", asUser, "--", pgha })
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
