using System.Diagnostics;
using System.Text;

namespace PgHaInfra.Docker.Tests;

/// <summary>The docker client, run with an explicit environment (no PG* variable of the caller reaches anything).</summary>
public static class DockerCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<string> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken, byte[]? stdin = null)
    {
        var list = args.ToList();
        var result = await TryAsync(list, cancellationToken, stdin);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"docker {string.Join(' ', list.Take(3))} ... exited {result.ExitCode}: {result.Stderr.Trim()}");
    }

    public static async Task<Result> TryAsync(IEnumerable<string> args, CancellationToken cancellationToken, byte[]? stdin = null)
    {
        var info = new ProcessStartInfo("docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
