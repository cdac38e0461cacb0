using System.Collections.Immutable;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Configuration;

/// <summary>What running in a PostgreSQL container adds to a spec that is otherwise valid.</summary>
public static class DockerTargetRules
{
    /// <summary>The OS user both supported images (official and Debian) run the server as.</summary>
    public const string ImageOsUser = "postgres";

    public static ImmutableArray<StackError> Check(ClusterSpec spec) =>
        spec.Replication.Superuser == ImageOsUser
            ? []
            : [new StackError(spec.Source, null, $"{StackDocument.Namespace}:replication.superuser", $"\"{spec.Replication.Superuser}\"",
                "cannot be used on Docker: the start script initialises and maintains the server as the OS user postgres over the socket (the user both supported images have), and the rendered pg_hba.conf's peer rule maps that user to the role postgres only",
                "postgres (the default) for the Pulumi program")];
}
