namespace PgHaInfra.Operations.Access;

/// <summary>The passwords an engine generated for a cluster. ToString never shows them.</summary>
public sealed record ClusterCredentials(string Superuser, string SuperuserPassword, string ReplicationUser, string ReplicationPassword)
{
    public override string ToString() => $"ClusterCredentials {{ Superuser = {Superuser}, ReplicationUser = {ReplicationUser}, passwords redacted }}";
}
