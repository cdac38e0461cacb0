namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>The built `pgha` as a process with extra environment variables (pollution, the kill hook).</summary>
internal static class PghaRun
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>137 = 128 + SIGKILL, as a shell reports it; .NET reports the signal number's exit the same way.</summary>
        public bool Killed => ExitCode is 137 or -9;

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static async Task<Outcome> RunAsync(TestCluster cluster, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] arguments)
    {
        // What follows `--` goes to a child program (psql): it must come after pgha's own stack options.
        var split = Array.IndexOf(arguments, "--");
        var info = PghaProcess.StartInfo(cluster, split < 0 ? arguments : arguments[..split]);
        foreach (var passed in split < 0 ? [] : arguments[split..])
        {
            info.ArgumentList.Add(passed);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var (exitCode, stdout, stderr) = await PghaProcess.RunAsync(info, timeout);
        return new Outcome(exitCode, stdout, stderr);
    }
}
