using System.Collections.Immutable;

namespace PgHaInfra.Deployment;

/// <summary>A description that the Docker provider would refuse; each problem names the object, the field and the rule.</summary>
public sealed class DeploymentRuleException(ImmutableArray<string> problems)
    : Exception("the Docker deployment breaks the provider's input rules:\n  " + string.Join("\n  ", problems))
{
    public ImmutableArray<string> Problems { get; } = problems;
}
