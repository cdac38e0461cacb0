using System.Net.Sockets;
using Npgsql;

namespace PgHaInfra.Examples.ReadWrite;

/// <summary>What a failed write tells the application about whether it took effect.</summary>
public enum WriteOutcome
{
    /// <summary>The server certainly did not apply it: no session opened, or it was refused before it ran. Safe to retry.</summary>
    NotApplied,

    /// <summary>
    /// The connection broke (or the server shut down) while the statement or its commit was in flight: it may have
    /// committed. Retry only an idempotent write (an idempotency key, ON CONFLICT DO NOTHING) or check first.
    /// </summary>
    Unknown,

    /// <summary>The server rejected it for a reason a retry does not change (a constraint, a syntax error). Do not retry.</summary>
    Rejected,
}

/// <summary>
/// Sorts a failed write by what the application may do next. The SQLSTATEs are the ones a switchover or failover
/// produces (docs/applications.md lists what the integration tests saw).
/// </summary>
public static class WriteFailure
{
    /// <summary>Refused before anything ran, or rolled back whole: the statement left no trace.</summary>
    private static readonly HashSet<string> NotAppliedStates = new(StringComparer.Ordinal)
    {
        PostgresErrorCodes.ReadOnlySqlTransaction, // 25006: the session landed on a standby (a stale role): nothing ran
        PostgresErrorCodes.CannotConnectNow, // 57P03: the server is starting up or shutting down, refused at connect
        PostgresErrorCodes.TooManyConnections, // 53300: refused at connect
        PostgresErrorCodes.SerializationFailure, // 40001: rolled back whole
        PostgresErrorCodes.DeadlockDetected, // 40P01: rolled back whole
    };

    /// <summary>The server ended the session mid-statement: the commit may or may not have happened.</summary>
    private static readonly HashSet<string> UnknownStates = new(StringComparer.Ordinal)
    {
        PostgresErrorCodes.AdminShutdown, // 57P01: fast shutdown (a switchover stops the old primary this way)
        PostgresErrorCodes.CrashShutdown, // 57P02: another backend crashed, or the postmaster was killed
        PostgresErrorCodes.ConnectionFailure, // 08006
        PostgresErrorCodes.ConnectionException, // 08000
    };

    /// <param name="sent">Whether the statement had been sent: false for a failure while opening the session.</param>
    public static WriteOutcome Classify(Exception error, bool sent)
    {
        if (!sent)
        {
            // Nothing was sent, so nothing can have run: connection refused, no read-write host, a timeout opening.
            return WriteOutcome.NotApplied;
        }

        return error switch
        {
            PostgresException p when NotAppliedStates.Contains(p.SqlState) => WriteOutcome.NotApplied,
            PostgresException p when UnknownStates.Contains(p.SqlState) => WriteOutcome.Unknown,
            PostgresException => WriteOutcome.Rejected,
            // A socket reset or end of stream mid-command, or a timeout waiting for the answer: the server may have committed.
            NpgsqlException or TimeoutException or IOException or SocketException => WriteOutcome.Unknown,
            _ => WriteOutcome.Rejected,
        };
    }

    /// <summary>Whether a switchover or failover can cause this failure, so waiting for the new primary may help.</summary>
    public static bool IsFailover(WriteOutcome outcome) => outcome != WriteOutcome.Rejected;

    /// <summary>A short name for the failure: the SQLSTATE, or the exception type and its innermost cause.</summary>
    public static string Describe(Exception error)
    {
        if (error is PostgresException p)
        {
            return $"SQLSTATE {p.SqlState} ({p.MessageText})";
        }

        var inner = error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == error ? $"{error.GetType().Name}: {error.Message}" : $"{error.GetType().Name}: {error.Message} <- {inner.GetType().Name}: {inner.Message}";
    }
}
