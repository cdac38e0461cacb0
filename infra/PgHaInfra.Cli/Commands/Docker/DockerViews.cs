using PgHaInfra.Docker;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>What every `pgha docker` verb says about the deployment besides its own output.</summary>
internal static class DockerViews
{
    /// <summary>When pgha's record of the primary differs from the stack file: the line that makes the stack follow.</summary>
    public static void ConfigLine(CliConsoles consoles, DockerCluster cluster)
    {
        if (cluster.PulumiConfigLine is { } line)
        {
            consoles.Error.WriteLine($"pgha: the stack still declares {cluster.Declared.Primary}; record {cluster.Spec.Primary} in it (the next `pulumi up` then changes no container):\n  {line}", Style.Plain);
        }
    }
}
