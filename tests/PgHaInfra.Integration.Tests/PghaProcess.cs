using System.Diagnostics;

namespace PgHaInfra.Integration.Tests;

/// <summary>The built `pgha` CLI as a separate process (it is copied beside the tests), for tests of the real command line.</summary>
public static class PghaProcess
{
    public static ProcessStartInfo StartInfo(TestCluster cluster, params string[] arguments)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "pgha");
        var info = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "pgha.dll") } };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add("--stacks-dir");
        info.ArgumentList.Add(cluster.StacksDirectory);
        info.ArgumentList.Add("--stack");
        info.ArgumentList.Add(cluster.Stack);
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(cluster.StateDirectory);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = cluster.Root;
        return info;
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TestCluster cluster, TimeSpan timeout, params string[] arguments) =>
        RunAsync(StartInfo(cluster, arguments), timeout);

    /// <summary>Runs a prepared start (extra environment, arguments after `--`), killed after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pgha {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
