namespace PgHaInfra.Operations.Patroni;

/// <summary>One member as Patroni's GET /cluster reports it.</summary>
/// <param name="Role">leader, sync_standby, replica (standby_leader in a standby cluster).</param>
/// <param name="State">running, streaming (3.0.2 says running), starting, stopped, ...</param>
/// <param name="Lag">Bytes behind the leader, as Patroni computes it; null for the leader or when unknown.</param>
public sealed record PatroniMember(string Name, string Role, string State, string Host, int Port, int? Timeline, long? Lag, bool PendingRestart)
{
    public bool IsLeader => Role is "leader" or "master";

    public bool IsSynchronous => Role == "sync_standby";
}

/// <summary>GET /cluster: the members and, when one holds the key, the leader.</summary>
public sealed record PatroniCluster(IReadOnlyList<PatroniMember> Members)
{
    public PatroniMember? Leader => Members.FirstOrDefault(m => m.IsLeader);

    public PatroniMember? Member(string name) => Members.FirstOrDefault(m => m.Name == name);
}
