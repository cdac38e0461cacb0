using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local.Failover;

/// <summary>
/// Brings a failed or switched-over primary back as a replica (gotcha 6): a CHECKPOINT on the source first, so
/// pg_rewind sees the new timeline; pg_rewind as the server user with a superuser source conninfo whose password
/// comes from a passfile; then the rendered files again (pg_rewind copies the source's configuration), standby.signal,
/// and a start. When pg_rewind fails or cannot work, the data directory is replaced by a fresh base backup.
/// </summary>
public static class Rewind
{
    public const string SuperuserPassfileName = "superuser.pgpass";

    public static async Task<RejoinOutcome> RejoinAsync(LocalCluster cluster, PostgresBinaries binaries, NpgsqlDataSource source, ClusterSpec spec, NodeSpec node, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var layout = cluster.Layout;
        var dataDirectory = layout.DataDirectory(node.Name);
        var upstream = spec.UpstreamOf(node) ?? throw new LocalEngineException($"{node.Name} is the primary; there is nothing to rejoin");
        await StartStop.StopAsync(binaries, cluster.Runner, dataDirectory, StopMode.Fast, LocalEngine.StopDeadline, cancellationToken).ConfigureAwait(false);

        // Without it, right after a promotion pg_rewind may find "no rewind required" on a diverged node (gotcha 6).
        await using (var checkpoint = source.CreateCommand("CHECKPOINT"))
        {
            await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var passfile = await SuperuserPassfileAsync(cluster, cancellationToken).ConfigureAwait(false);
        RejoinMethod method;
        string reason;
        var rewound = Directory.Exists(dataDirectory)
            ? await RunRewindAsync(binaries, cluster.Runner, dataDirectory, spec, cluster.Placement.AddressOf(upstream), passfile, cancellationToken).ConfigureAwait(false)
            : new ProcessResult(1, "", $"{dataDirectory} does not exist");
        if (rewound.Succeeded)
        {
            var output = rewound.StandardOutput + rewound.StandardError;
            var diverged = output.Split('\n').FirstOrDefault(l => l.Contains("servers diverged", StringComparison.Ordinal))?.Trim().TrimStart('p', 'g', '_', 'r', 'e', 'w', 'i', 'n', 'd', ':', ' ');
            (method, reason) = output.Contains("no rewind required", StringComparison.Ordinal)
                ? (RejoinMethod.NoRewindNeeded, $"pg_rewind found no divergence from {upstream.Name}: {node.Name} only needed standby settings")
                : (RejoinMethod.Rewind, $"pg_rewind rewound {node.Name} from {upstream.Name} ({diverged ?? "timelines diverged"})");
        }
        else
        {
            var why = (rewound.StandardError.Trim() is { Length: > 0 } err ? err : rewound.StandardOutput.Trim()).ReplaceLineEndings(" ");
            await RecloneAsync(cluster, binaries, spec, node, upstream, cancellationToken).ConfigureAwait(false);
            (method, reason) = (RejoinMethod.Reclone, $"pg_rewind could not rewind {node.Name} ({Shorten(why)}), so it was re-cloned with pg_basebackup from {upstream.Name}");
        }

        var files = NodeFiles.Render(spec, cluster.Placement, node, BootstrapSql.VerifierPlaceholder);
        await ConfigInstaller.InstallAsync(dataDirectory, files, cluster.User, cancellationToken).ConfigureAwait(false);
        Fence.Lift(dataDirectory);
        await StartStop.StartAsync(binaries, cluster.Runner, dataDirectory, layout.LogFile(node.Name), LocalEngine.StartDeadline, cancellationToken).ConfigureAwait(false);
        return new RejoinOutcome(node.Name, method, reason, clock.Elapsed);
    }

    private static async Task<ProcessResult> RunRewindAsync(PostgresBinaries binaries, ProcessRunner runner, string dataDirectory, ClusterSpec spec, NodeAddress source, string passfile, CancellationToken cancellationToken)
    {
        // pg_rewind's own crash recovery runs a single-user server, which refuses standby.signal: the fence's marker
        // is taken away for it and put back by the rendered files afterwards.
        File.Delete(Path.Combine(dataDirectory, NodeFiles.StandbySignal));
        var conninfo = ConnInfo.Format(
        [
            new("host", source.Host),
            new("port", source.Port.ToString(CultureInfo.InvariantCulture)),
            new("user", spec.Replication.Superuser),
            new("dbname", "postgres"),
            new("passfile", passfile),
            new("connect_timeout", "5"),
            new("application_name", "pgha_rewind"),
        ]);
        return await runner.RunAsync(binaries.PathOf(PostgresBinaries.PgRewind),
            ["--target-pgdata", dataDirectory, "--source-server", conninfo], cancellationToken).ConfigureAwait(false);
    }

    private static async Task RecloneAsync(LocalCluster cluster, PostgresBinaries binaries, ClusterSpec spec, NodeSpec node, NodeSpec upstream, CancellationToken cancellationToken)
    {
        var dataDirectory = cluster.Layout.DataDirectory(node.Name);
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        await JoinAsReplica.BaseBackupAsync(binaries, cluster.Runner, cluster.Layout, cluster.Placement.AddressOf(upstream),
            spec.Replication.User, node.Name, node.SlotName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The superuser's libpq passfile for pg_rewind, beside the replication one (0600, the server user's).</summary>
    public static async Task<string> SuperuserPassfileAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var credentials = await cluster.CredentialsAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new LocalEngineException($"stack {cluster.Spec.Stack} has no stored credentials; run `pgha up` first");
        var path = Path.Combine(cluster.Layout.SecretsDirectory, SuperuserPassfileName);
        var line = LocalSecrets.PassfileLine(credentials.Superuser, credentials.SuperuserPassword);
        if (!File.Exists(path) || await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) != line)
        {
            await cluster.User.WriteFileAsync(path, line, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
        }

        return path;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
