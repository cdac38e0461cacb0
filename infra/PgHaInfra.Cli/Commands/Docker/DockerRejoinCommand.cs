using System.ComponentModel;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>Brings a fenced old primary's container back as a replica: pg_rewind in a container on its volume, else (with consent) a fresh base backup.</summary>
public sealed class DockerRejoinCommand(CliConsoles consoles) : AsyncCommand<DockerRejoinCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--node <NODE>")]
        [Description("The node to rejoin as a replica. Required.")]
        public string? Node { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to delete its data and take a fresh base backup if pg_rewind cannot rewind it.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Node is not { Length: > 0 } node)
        {
            throw new CliException("--node <NODE> is required: the node to rejoin", ExitCodes.InvalidInput);
        }

        await using var cluster = await settings.OpenAsync(cancellationToken);
        var promotion = new DockerPromotion(consoles, cluster, settings.AllowReclone, settings.Json);
        promotion.RequireNode("--node", node);
        var report = await promotion.Runner().RejoinAsync(cluster.Spec, node, cancellationToken);
        return await promotion.FinishAsync(report, verify: true, settings.Json, cancellationToken);
    }
}
