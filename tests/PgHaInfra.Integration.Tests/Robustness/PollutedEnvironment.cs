using System.Diagnostics;

namespace PgHaInfra.Integration.Tests.Robustness;

/// <summary>
/// Every libpq variable issue 13 names, each set to a value that breaks any connection it reaches: a wrong password,
/// an unroutable host, a closed port, an unknown role, SSL a loopback server does not offer, an option the server
/// refuses, a service no file defines, a passfile that does not exist.
/// </summary>
internal static class PollutedEnvironment
{
    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["PGPASSWORD"] = "wrong-password-from-the-shell",
        ["PGHOST"] = "192.0.2.1",
        ["PGPORT"] = "1",
        ["PGUSER"] = "nobody_from_the_shell",
        ["PGSSLMODE"] = "require",
        ["PGOPTIONS"] = "-c work_mem=not-a-size",
        ["PGSERVICE"] = "pgha_no_such_service",
        ["PGPASSFILE"] = "/nonexistent/pgpass",
    };

    public static ProcessStartInfo Apply(ProcessStartInfo info)
    {
        foreach (var (name, value) in Values)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>Sets the values in this (the test) process until disposed. Test classes run one at a time (AssemblyInfo).</summary>
    public static IDisposable InProcess()
    {
        var before = Values.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in Values)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        return new Restore(before);
    }

    private sealed class Restore(Dictionary<string, string?> before) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (name, value) in before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
