namespace PgHaInfra.Local;

/// <summary>
/// The OS user PostgreSQL's processes run as. PostgreSQL refuses to run as root, so under uid 0 the server tools
/// run as an unprivileged user (postgres, or PGHA_SERVER_USER) and the state directory is handed to that user.
/// As a normal user, everything runs as that user and nothing changes hands.
/// </summary>
public sealed record ServerUser(string? UserName, uint Uid, uint Gid)
{
    public const string DefaultName = "postgres";
    public const string OverrideVariable = "PGHA_SERVER_USER";

    /// <summary>True when pgha runs as root and must switch user for server processes.</summary>
    public bool SwitchesUser => UserName is not null;

    public static ServerUser Detect()
    {
        if (Libc.GetEffectiveUserId() != 0)
        {
            return new ServerUser(null, Libc.GetEffectiveUserId(), 0);
        }

        var name = Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } configured ? configured : DefaultName;
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name && uint.TryParse(fields[2], out var uid) && uint.TryParse(fields[3], out var gid))
            {
                if (uid == 0)
                {
                    break;
                }

                return new ServerUser(name, uid, gid);
            }
        }

        throw new LocalEngineException(
            $"pgha runs as root, and PostgreSQL refuses to: it needs an unprivileged OS user '{name}' for the server processes. " +
            $"Create it (useradd --system {name}) or name another one in {OverrideVariable}.");
    }

    /// <summary>Hands a file or directory to the server user (a no-op unless running as root).</summary>
    public void Own(string path)
    {
        if (SwitchesUser)
        {
            Libc.ChangeOwner(path, Uid, Gid);
        }
    }

    /// <summary>Creates a directory (and missing parents below <paramref name="root"/>) owned by the server user.</summary>
    public void CreateDirectory(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, mode);
        }

        Own(path);
    }

    /// <summary>Writes a file atomically (temporary file, then rename) with the given mode, owned by the server user.</summary>
    /// <param name="durable">fsync the file before the rename and its directory after it, so a power loss leaves the old or the new content, never an empty file.</param>
    public async Task WriteFileAsync(string path, string content, UnixFileMode mode, CancellationToken cancellationToken, bool durable = false)
    {
        var temporary = $"{path}.pgha-{Environment.ProcessId}.tmp";
        await using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        }))
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (durable)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
        }

        File.SetUnixFileMode(temporary, mode);
        Own(temporary);
        File.Move(temporary, path, overwrite: true);
        if (durable)
        {
            Libc.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>Deletes a file and fsyncs its directory, so the deletion survives a power loss.</summary>
    public static void DeleteDurably(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            Libc.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }
}
