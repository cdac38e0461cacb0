using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// Where things live inside a node's container. Both images this runs on (the official postgres:15-bookworm and
/// Debian bookworm with Debian's postgresql-15) keep the server in /usr/lib/postgresql/15/bin and have an OS user
/// postgres, and nothing else of either image is relied on.
/// </summary>
public static class ContainerLayout
{
    /// <summary>The uploaded files; ClusterPlacement.DockerNetwork names the passfile in this folder.</summary>
    public const string ConfigDirectory = "/etc/postgresql/pgha";

    public const string StartScript = ConfigDirectory + "/start.sh";

    public const string Passfile = ClusterPlacement.ContainerPassfile;

    public const string SuperuserSql = ConfigDirectory + "/superuser.sql";

    /// <summary>
    /// The superuser's libpq passfile: pg_rewind's source connection needs it inside the container, and `pgha docker`
    /// reads it from there, so no operator types a password (whoever reaches the Docker socket is root in the containers anyway).
    /// </summary>
    public const string SuperuserPassfile = ConfigDirectory + "/superuser.pgpass";

    /// <summary>Where each node's volume is mounted.</summary>
    public const string VolumeDirectory = "/var/lib/postgresql/data";

    /// <summary>
    /// The data directory, one level below the mount point, so that it can be made beside itself and moved into
    /// place only when complete: a start interrupted during initdb or pg_basebackup leaves no half-made cluster.
    /// </summary>
    public const string DataDirectory = VolumeDirectory + "/pgdata";

    /// <summary>The node's role settings (<see cref="RoleConf"/>), in the data: they travel with the data, not the container.</summary>
    public const string RoleConf = DataDirectory + "/pgha.role.conf";

    /// <summary>Says why a node was fenced; beside standby.signal, which keeps it read-only until `pgha rejoin`.</summary>
    public const string FenceMarker = DataDirectory + "/pgha.fenced";

    /// <summary>Sockets for local maintenance (peer authentication as postgres).</summary>
    public const string SocketDirectory = "/var/run/postgresql";

    /// <summary>The OS user both images run the server as.</summary>
    public const string ServerUser = "postgres";

    public static string PathOf(string renderedFile) => $"{ConfigDirectory}/{renderedFile}";

    public static string BinDirectory(ClusterSpec spec) => $"/usr/lib/postgresql/{spec.Postgres.Version.ToString(CultureInfo.InvariantCulture)}/bin";

    /// <summary>The server, started on the uploaded files: nothing else configures it.</summary>
    public static ImmutableArray<string> ServerCommand(ClusterSpec spec) =>
    [
        $"{BinDirectory(spec)}/postgres",
        "-D", DataDirectory,
        "-c", $"config_file={PathOf(NodeFiles.PostgresqlConf)}",
        "-c", $"hba_file={PathOf(NodeFiles.PgHbaConf)}",
    ];
}
