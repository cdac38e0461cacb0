using PgHaInfra.Operations.Access;
using PgHaInfra.Security;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>
/// The cluster's generated passwords, kept only in the state's secrets/ directory (0700, files 0600, owned by the
/// server user). The replication password also goes into a libpq passfile that replicas name in primary_conninfo,
/// so it is never inline in a configuration file, on a command line, or in output.
/// </summary>
public static class LocalSecrets
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads the passwords, generating any that are missing, and (re)writes the passfile.</summary>
    public static async Task<ClusterCredentials> EnsureAsync(ClusterSpec spec, StateLayout layout, ServerUser user, CancellationToken cancellationToken)
    {
        user.CreateDirectory(layout.SecretsDirectory);
        var superuser = await ReadOrCreateAsync(layout.SuperuserPasswordFile, user, cancellationToken).ConfigureAwait(false);
        var replication = await ReadOrCreateAsync(layout.ReplicationPasswordFile, user, cancellationToken).ConfigureAwait(false);
        var passfile = PassfileLine(spec.Replication.User, replication);
        if (!File.Exists(layout.ReplicationPassfile) || await File.ReadAllTextAsync(layout.ReplicationPassfile, cancellationToken).ConfigureAwait(false) != passfile)
        {
            await user.WriteFileAsync(layout.ReplicationPassfile, passfile, Private, cancellationToken).ConfigureAwait(false);
        }

        return new ClusterCredentials(spec.Replication.Superuser, superuser, spec.Replication.User, replication);
    }

    /// <summary>The stored passwords, or null when the cluster was never created here.</summary>
    public static async Task<ClusterCredentials?> ReadAsync(ClusterSpec spec, StateLayout layout, CancellationToken cancellationToken)
    {
        if (!File.Exists(layout.SuperuserPasswordFile) || !File.Exists(layout.ReplicationPasswordFile))
        {
            return null;
        }

        var superuser = (await File.ReadAllTextAsync(layout.SuperuserPasswordFile, cancellationToken).ConfigureAwait(false)).Trim();
        var replication = (await File.ReadAllTextAsync(layout.ReplicationPasswordFile, cancellationToken).ConfigureAwait(false)).Trim();
        return new ClusterCredentials(spec.Replication.Superuser, superuser, spec.Replication.User, replication);
    }

    /// <summary>Creates a new file readable only by its owner (0600 from the start, never briefly wider) and writes it.</summary>
    public static async Task WritePrivateFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private });
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A libpq passfile line for any host, port and database: backslash and colon escaped.</summary>
    public static string PassfileLine(string user, string password) => $"*:*:*:{Escape(user)}:{Escape(password)}\n";

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);

    private static async Task<string> ReadOrCreateAsync(string path, ServerUser user, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            var existing = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        var password = GeneratedPassword.New();
        await user.WriteFileAsync(path, password + "\n", Private, cancellationToken, durable: true).ConfigureAwait(false);
        return password;
    }
}
