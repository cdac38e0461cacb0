using System.Diagnostics;
using System.Text;

namespace PgHaInfra.Local;

/// <summary>The outcome of one external program run.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs PostgreSQL's tools as the server user, asynchronously. On cancellation the whole process tree is killed, so
/// an interrupted pg_basebackup does not keep writing into a directory the next run rebuilds. Failures carry the
/// program's stderr, which is where PostgreSQL's tools say what went wrong. Each program gets the environment
/// <see cref="ToolEnvironment"/> builds, never the caller's.
/// </summary>
public sealed class ProcessRunner(ServerUser user)
{
    public ServerUser User { get; } = user;

    public async Task<ProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        bool asServerUser = true,
        Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            // A directory the server user can enter: tools that chdir-check their cwd must not fail under /root.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (asServerUser && User.UserName is { } name)
        {
            info.UserName = name;
        }

        // Never the caller's environment: only what ToolEnvironment lets through, plus what this run sets on purpose.
        ToolEnvironment.Apply(info, environment);

        using var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }

                onLine?.Invoke(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }

                onLine?.Invoke(e.Data);
            }
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalEngineException($"could not start {program}: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the cancellation and the kill.
            }

            throw;
        }

        string Text(StringBuilder b)
        {
            lock (b)
            {
                return b.ToString();
            }
        }

        return new ProcessResult(process.ExitCode, Text(stdout), Text(stderr));
    }

    /// <summary>Runs and throws a <see cref="LocalEngineException"/> naming the step and quoting stderr when it fails.</summary>
    public async Task<ProcessResult> RunCheckedAsync(
        string step,
        string program,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await RunAsync(program, arguments, cancellationToken, environment).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var detail = (result.StandardError.Trim() is { Length: > 0 } err ? err : result.StandardOutput.Trim());
            throw new LocalEngineException($"{step}: {Path.GetFileName(program)} exited with {result.ExitCode}: {detail}");
        }

        return result;
    }
}
