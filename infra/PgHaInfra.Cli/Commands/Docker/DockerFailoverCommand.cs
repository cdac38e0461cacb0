using System.ComponentModel;
using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Operations.Failover;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>
/// A failover of the containers: the old primary's container is fenced (killed if it still runs, standby.signal in
/// its data, off the endpoint names), the best replica promoted, the others re-pointed, the write name moved.
/// </summary>
public sealed class DockerFailoverCommand(CliConsoles consoles) : AsyncCommand<DockerFailoverCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--to <NODE>")]
        [Description("The replica to promote. Default: the one that received the most WAL (the synchronous one first).")]
        public string? To { get; init; }

        [CommandOption("--force")]
        [Description("Override the checks that may be overridden (a reachable old primary, lag, a delayed target).")]
        public bool Force { get; init; }

        [CommandOption("--rejoin")]
        [Description("Rejoin the old primary at once (pg_rewind in a container on its volume) instead of later with `pgha docker rejoin`.")]
        public bool Rejoin { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to a fresh base backup if pg_rewind cannot rewind the old primary (with --rejoin).")]
        public bool AllowReclone { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON (schema in docs/failover.md).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        var promotion = new DockerPromotion(consoles, cluster, settings.AllowReclone, settings.Json);
        if (settings.To is { } to)
        {
            promotion.RequireNode("--to", to);
        }

        var observation = await ReplicationObserver.ObserveConfirmingAsync(cluster.Access, cancellationToken);
        var decision = FailoverPlanner.Plan(cluster.Spec, observation, settings.To, settings.Force);
        if (decision.Plan is not { } plan)
        {
            return PromotionViews.Refuse(consoles, "failover", cluster.Spec.Primary, decision.Reason, decision.Checks, settings.Json);
        }

        promotion.Say($"failover: {plan.Reason}");
        var report = await promotion.Runner().FailoverAsync(plan, settings.Rejoin, cancellationToken);
        return await promotion.FinishAsync(report, verify: settings.Rejoin, settings.Json, cancellationToken);
    }
}
