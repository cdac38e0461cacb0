using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Deployment;

/// <summary>
/// A container's bootstrap.sql, the same on every node: on whichever node is primary it creates or updates the
/// replication role and the canary table; on a standby it does nothing. Slots are not in it: a replica creates its own
/// on its upstream when it clones (pg_basebackup --create-slot), and pgha's operations manage them after a failover.
/// </summary>
public static class ContainerBootstrapSql
{
    public static string Render(ClusterSpec spec, string scramVerifier)
    {
        var role = BootstrapSql.QuoteIdentifier(spec.Replication.User);
        var canary = string.Concat(BootstrapSql.CanaryTable.Select(statement => $"    {statement};\n"));
        return BootstrapSql.SessionSettings +
            $"-- The replication role of cluster \"{spec.Name}\" (it may stream WAL and take base backups, nothing else) and the\n" +
            "-- post-deploy check's canary table; only a primary can change them, so a standby skips the block.\n" +
            "DO $pgha$\nBEGIN\n  IF NOT pg_catalog.pg_is_in_recovery() THEN\n" +
            $"    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {BootstrapSql.QuoteLiteral(spec.Replication.User)}) THEN\n" +
            $"      CREATE ROLE {role} WITH LOGIN REPLICATION;\n    END IF;\n" +
            $"    ALTER ROLE {role} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {BootstrapSql.QuoteLiteral(scramVerifier)};\n" +
            canary +
            "  END IF;\nEND\n$pgha$;\n";
    }
}
