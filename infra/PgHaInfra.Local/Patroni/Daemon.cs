using System.Diagnostics;
using System.Globalization;

namespace PgHaInfra.Local.Patroni;

/// <summary>
/// Starts the long-lived processes of the patroni mode (etcd, node supervisors, HAProxy) so that they outlive the
/// pgha verb that started them: in a session of their own (setsid: a terminal's Ctrl-C or a closed pipe does not
/// reach them), with stdio on their log file, an explicit environment (nothing of the caller's, PGPASSWORD
/// included), as the server user, and with a pid file that `down` and `status` read.
/// </summary>
public static class Daemon
{
    private const string Shell = "/bin/sh";
    private const string Setsid = "setsid";

    /// <summary>The whole environment every daemon gets, besides what a caller adds explicitly.</summary>
    public static IReadOnlyDictionary<string, string> BaseEnvironment(string home) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
        ["HOME"] = home,
    };

    public static int Start(ServerUser user, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile, string pidFile)
    {
        var info = new ProcessStartInfo(Shell)
        {
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        // $1 is the log; the rest is the program and its arguments, passed as separate words (no shell quoting).
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"log=\"$1\"; shift; exec {Setsid} \"$@\" </dev/null >>\"$log\" 2>&1");
        info.ArgumentList.Add("pgha-daemon");
        info.ArgumentList.Add(logFile);
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        if (user.UserName is { } name)
        {
            info.UserName = name;
        }

        using var process = Process.Start(info) ?? throw new LocalEngineException($"could not start {program}");
        // setsid execs in place (the shell is no group leader), so this pid is the daemon's own.
        File.WriteAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        user.Own(pidFile);
        return process.Id;
    }

    /// <summary>The pid in <paramref name="pidFile"/> when that process is alive and still runs <paramref name="program"/>.</summary>
    public static int? Running(string pidFile, string program)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            return ProcFs.Read(pid) is { IsZombie: false } entry && entry.CommandLine.Any(a => Path.GetFileName(a) == program || a.EndsWith("/" + program, StringComparison.Ordinal) || a == program) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM, then SIGKILL once <paramref name="grace"/> has passed; true once the process is gone.</summary>
    public static async Task<bool> StopAsync(int pid, TimeSpan grace, CancellationToken cancellationToken)
    {
        ProcFs.Signal(pid, ProcFs.SigTerm);
        var clock = Stopwatch.StartNew();
        while (ProcFs.IsAlive(pid))
        {
            if (clock.Elapsed > grace)
            {
                ProcFs.Signal(pid, ProcFs.SigKill);
            }

            if (clock.Elapsed > grace + TimeSpan.FromSeconds(5))
            {
                return false;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
