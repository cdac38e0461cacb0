using System.ComponentModel;
using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Operations.Failover;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>
/// A planned switchover of the containers: the same checks and steps as locally (fast stop and fence of the old
/// primary, final LSN, promote, re-point, rejoin), with the write name moved to the new primary.
/// </summary>
public sealed class DockerSwitchoverCommand(CliConsoles consoles) : AsyncCommand<DockerSwitchoverCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--to <NODE>")]
        [Description("The replica to promote. Required.")]
        public string? To { get; init; }

        [CommandOption("--force")]
        [Description("Override the checks that may be overridden (lag, replay paused, a delayed or non-streaming target).")]
        public bool Force { get; init; }

        [CommandOption("--no-rejoin")]
        [Description("Leave the old primary stopped and fenced instead of rejoining it (`pgha docker rejoin` later).")]
        public bool NoRejoin { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to a fresh base backup if pg_rewind cannot rewind the old primary.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON (schema in docs/failover.md).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.To is not { Length: > 0 } to)
        {
            throw new CliException("--to <NODE> is required: the replica to promote", ExitCodes.InvalidInput);
        }

        await using var cluster = await settings.OpenAsync(cancellationToken);
        var promotion = new DockerPromotion(consoles, cluster, settings.AllowReclone, settings.Json);
        promotion.RequireNode("--to", to);
        var observation = await ReplicationObserver.ObserveAsync(cluster.Access, cancellationToken);
        var decision = SwitchoverPlanner.Plan(cluster.Spec, observation, to, settings.Force);
        if (decision.Plan is not { } plan)
        {
            return PromotionViews.Refuse(consoles, "switchover", cluster.Spec.Primary, decision.Reason, decision.Checks, settings.Json);
        }

        promotion.Say($"switchover: {plan.Reason}");
        var report = await promotion.Runner().SwitchoverAsync(plan, rejoin: !settings.NoRejoin, cancellationToken);
        return await promotion.FinishAsync(report, verify: !settings.NoRejoin, settings.Json, cancellationToken);
    }
}
