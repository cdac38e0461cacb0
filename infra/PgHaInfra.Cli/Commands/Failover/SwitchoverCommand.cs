using System.ComponentModel;
using PgHaInfra.Operations.Failover;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>
/// A planned switchover: checks the target, stops the old primary cleanly, waits until the target replayed its final
/// LSN, promotes it, re-points every other replica, rejoins the old primary as a replica, and verifies.
/// </summary>
public sealed class SwitchoverCommand(CliConsoles consoles) : AsyncCommand<SwitchoverCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--to <NODE>")]
        [Description("The replica to promote. Required.")]
        public string? To { get; init; }

        [CommandOption("--force")]
        [Description("Override the checks that may be overridden: lag over the threshold, replay paused, a delayed target, a target that is not streaming.")]
        public bool Force { get; init; }

        [CommandOption("--no-rejoin")]
        [Description("Leave the old primary stopped and fenced instead of rejoining it as a replica (`pgha rejoin` later).")]
        public bool NoRejoin { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to re-clone (delete the data directory and pg_basebackup) if pg_rewind cannot rewind the node: divergence it cannot follow, or WAL already gone. Never after a connection error.")]
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

        if (await settings.LoadAsync(cancellationToken) is { Failover.IsPatroni: true })
        {
            await using var patroni = await settings.OpenForChangeAsync("switchover", cancellationToken);
            return await Patroni.PatroniPromotionVerbs.RunAsync(consoles, patroni, "switchover", to, settings.Force, settings.Json, cancellationToken);
        }

        await using var session = await FailoverSession.OpenAsync(settings, consoles, "switchover", cancellationToken, settings.AllowReclone);
        session.RequireNode("--to", to);
        var observation = await ReplicationObserver.ObserveAsync(session.Access, cancellationToken);
        var decision = SwitchoverPlanner.Plan(session.Spec, observation, to, settings.Force);
        if (decision.Plan is not { } plan)
        {
            return PromotionViews.Refuse(consoles, "switchover", session.Spec.Primary, decision.Reason, decision.Checks, settings.Json);
        }

        session.Say($"switchover: {plan.Reason}");
        var report = await session.Runner(settings.Json).SwitchoverAsync(plan, rejoin: !settings.NoRejoin, cancellationToken);
        var verify = report.Succeeded && !settings.NoRejoin ? await session.VerifyAsync(plan.Next, cancellationToken) : null;
        return PromotionViews.Finish(consoles, session, report, verify, settings.Json);
    }
}
