namespace PgHaInfra.Local;

/// <summary>
/// Where the local engine keeps one stack's cluster. Under root: /var/lib/pgha/&lt;stack&gt; (reachable by the server
/// user, unlike /root); otherwise ${XDG_STATE_HOME:-~/.local/state}/pgha/&lt;stack&gt;. --state-dir or PGHA_STATE_DIR
/// override it.
/// <code>
/// &lt;root&gt;/state.json              engine state: primary, nodes created, versions (written atomically)
/// &lt;root&gt;/data/&lt;node&gt;/            each node's data directory
/// &lt;root&gt;/run/                    the shared unix socket directory (sockets differ by port)
/// &lt;root&gt;/logs/&lt;node&gt;.log         each server's log
/// &lt;root&gt;/secrets/                0700: superuser.password, replication.password, replication.pgpass (0600)
/// &lt;root&gt;/backup/&lt;node&gt;/     pgbackrest.conf, log, lock and spool of each node; backup/_pgha/ for pgha's own runs
/// &lt;root&gt;/pgha.lock              held (flock) by the verb changing the cluster; pgha.lock.holder names it
/// </code>
/// </summary>
public sealed record StateLayout(string Root)
{
    public const string DirectoryVariable = "PGHA_STATE_DIR";

    public string StateFile => Path.Combine(Root, "state.json");

    public string DataRoot => Path.Combine(Root, "data");

    public string SocketDirectory => Path.Combine(Root, "run");

    public string LogDirectory => Path.Combine(Root, "logs");

    public string SecretsDirectory => Path.Combine(Root, "secrets");

    /// <summary>pgBackRest's configuration, logs, locks and spool (the repository itself is where the stack says).</summary>
    public string BackupRoot => Path.Combine(Root, "backup");

    public string SuperuserPasswordFile => Path.Combine(SecretsDirectory, "superuser.password");

    public string ReplicationPasswordFile => Path.Combine(SecretsDirectory, "replication.password");

    /// <summary>The libpq passfile that every replica's primary_conninfo names.</summary>
    public string ReplicationPassfile => Path.Combine(SecretsDirectory, "replication.pgpass");

    /// <summary>What <see cref="StackLock"/> holds while a verb changes the cluster.</summary>
    public string LockFile => Path.Combine(Root, "pgha.lock");

    /// <summary>Who holds <see cref="LockFile"/>: pid, verb and since when.</summary>
    public string LockHolderFile => Path.Combine(Root, "pgha.lock.holder");

    public string DataDirectory(string node) => Path.Combine(DataRoot, node);

    public string LogFile(string node) => Path.Combine(LogDirectory, $"{node}.log");

    public bool Exists => File.Exists(StateFile) || Directory.Exists(DataRoot);

    /// <summary>The state directory for a stack: explicit, else PGHA_STATE_DIR, else the per-user default.</summary>
    public static StateLayout For(string stack, string? explicitRoot = null, bool? runningAsRoot = null)
    {
        if (explicitRoot is { Length: > 0 })
        {
            return new StateLayout(Path.GetFullPath(explicitRoot));
        }

        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return new StateLayout(Path.GetFullPath(Path.Combine(fromEnvironment, stack)));
        }

        return new StateLayout(Path.Combine(DefaultBase(runningAsRoot ?? Libc.GetEffectiveUserId() == 0), stack));
    }

    /// <summary>/var/lib/pgha for root; ${XDG_STATE_HOME:-~/.local/state}/pgha for everyone else.</summary>
    public static string DefaultBase(bool runningAsRoot)
    {
        if (runningAsRoot)
        {
            return "/var/lib/pgha";
        }

        var stateHome = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(stateHome, "pgha");
    }
}
