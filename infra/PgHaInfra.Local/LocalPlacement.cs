using PgHaInfra.Local.Backup;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Local;

/// <summary>The local engine's placement of a spec: loopback addresses, the state directory's passfile and sockets, and pgBackRest's paths.</summary>
public static class LocalPlacement
{
    public static ClusterPlacement Of(ClusterSpec spec, StateLayout layout) =>
        ClusterPlacement.Loopback(spec, layout.ReplicationPassfile, layout.SocketDirectory) with
        {
            Backup = spec.Backup is null ? null : BackupPlacement.UnderRoot(spec, layout.BackupRoot, layout.DataDirectory, PgBackRestProgram.Locate()),
        };
}
