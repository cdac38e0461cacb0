using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Configuration;

/// <summary>What running on the official postgres image adds to a spec that is otherwise valid.</summary>
public static class DockerTargetRules
{
    /// <summary>The OS user the official image runs the server (and its init scripts) as.</summary>
    public const string ImageOsUser = "postgres";

    public static ImmutableArray<StackError> Check(ClusterSpec spec) =>
        spec.Replication.Superuser == ImageOsUser
            ? []
            : [new StackError(spec.Source, null, $"{StackDocument.Namespace}:replication.superuser", $"\"{spec.Replication.Superuser}\"",
                "cannot be used on Docker: the official image initialises and maintains the server as the OS user postgres over the socket, and the rendered pg_hba.conf's peer rule maps that user to the role postgres only",
                "postgres (the default) for the Pulumi program")];
}
