using System.Collections.Immutable;
using PgHaInfra.Rendering;

namespace PgHaInfra.Pulumi.Containers;

/// <summary>Where things live inside a node's container (the official postgres image), and how the server is started.</summary>
public static class ContainerPaths
{
    /// <summary>The rendered files, uploaded; ClusterPlacement.DockerNetwork names the passfile in this folder.</summary>
    public const string ConfigDirectory = "/etc/postgresql/pgha";

    public const string StartScript = ConfigDirectory + "/start.sh";

    public const string Passfile = ClusterPlacement.ContainerPassfile;

    /// <summary>The image's PGDATA, where each node's volume is mounted.</summary>
    public const string DataDirectory = "/var/lib/postgresql/data";

    /// <summary>The image's entrypoint runs *.sql from here once, when it initialises an empty data directory.</summary>
    public const string InitdbBootstrap = "/docker-entrypoint-initdb.d/10-pgha-bootstrap.sql";

    /// <summary>The image's own entrypoint, which the start script hands over to.</summary>
    public const string ImageEntrypoint = "docker-entrypoint.sh";

    /// <summary>Sockets of the server in the image, for local maintenance (peer authentication as postgres).</summary>
    public const string SocketDirectory = "/var/run/postgresql";

    public static string PathOf(string renderedFile) => $"{ConfigDirectory}/{renderedFile}";

    /// <summary>The server, started on the rendered files: nothing else configures it.</summary>
    public static ImmutableArray<string> ServerCommand =>
    [
        "postgres",
        "-c", $"config_file={PathOf(NodeFiles.PostgresqlConf)}",
        "-c", $"hba_file={PathOf(NodeFiles.PgHbaConf)}",
    ];
}
