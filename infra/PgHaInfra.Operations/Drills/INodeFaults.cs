using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Drills;

/// <summary>Faults a failover drill injects. The local engine kills the postmaster with SIGKILL.</summary>
public interface INodeFaults
{
    /// <summary>Kills the node's server at once, with no shutdown checkpoint: a crash, as a lost machine looks.</summary>
    /// <returns>One sentence saying what was killed.</returns>
    Task<string> CrashAsync(NodeSpec node, CancellationToken cancellationToken);
}
