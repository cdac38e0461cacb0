using System.ComponentModel;
using PgHaInfra.Operations.Failover;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>
/// An unplanned failover: the primary is gone. Chooses the most advanced healthy replica (or checks --to), refuses while
/// the old primary still accepts writes (unless --force, which fences it), fences the old primary, promotes,
/// re-points the others and verifies. The old primary comes back with `pgha rejoin` (or --rejoin).
/// </summary>
public sealed class FailoverCommand(CliConsoles consoles) : AsyncCommand<FailoverCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--to <NODE>")]
        [Description("The replica to promote. Default: the most advanced healthy replica, preferring synchronous standbys.")]
        public string? To { get; init; }

        [CommandOption("--force")]
        [Description("Fail over even though the old primary still accepts writes (it is stopped and fenced first), or to a delayed, paused or less advanced replica.")]
        public bool Force { get; init; }

        [CommandOption("--adopt <NODE>")]
        [Description("Record NODE, which already accepts writes (a promotion pgha was killed before recording, or one made by hand), as the primary: the old one is fenced, the others re-pointed. Refused while any other node accepts writes.")]
        public string? Adopt { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("With --rejoin: consent to re-clone the old primary (delete its data directory) if pg_rewind cannot rewind it.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--rejoin")]
        [Description("Also rejoin the old primary as a replica right away (pg_rewind, else a fresh base backup).")]
        public bool Rejoin { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON (schema in docs/failover.md).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (await settings.LoadAsync(cancellationToken) is { Failover.IsPatroni: true })
        {
            await using var patroni = await settings.OpenForChangeAsync("failover", cancellationToken);
            return await Patroni.PatroniPromotionVerbs.RunAsync(consoles, patroni, "failover", settings.To, settings.Force, settings.Json, cancellationToken);
        }

        await using var session = await FailoverSession.OpenAsync(settings, consoles, "failover", cancellationToken, settings.AllowReclone);
        if (settings.To is { } to)
        {
            session.RequireNode("--to", to);
        }

        if (settings.Adopt is { } adopt)
        {
            return await AdoptAsync(session, settings, adopt, cancellationToken);
        }

        // "Gone" is decided carefully: a primary that fails at the connection level is asked again over a bounded window.
        var observation = await ReplicationObserver.ObserveConfirmingAsync(session.Access, cancellationToken);
        var decision = FailoverPlanner.Plan(session.Spec, observation, settings.To, settings.Force);
        if (decision.Plan is not { } plan)
        {
            return PromotionViews.Refuse(consoles, "failover", session.Spec.Primary, decision.Reason, decision.Checks, settings.Json);
        }

        session.Say($"failover: {plan.Reason}");
        var report = await session.Runner(settings.Json).FailoverAsync(plan, settings.Rejoin, cancellationToken);
        var verify = report.Succeeded ? await session.VerifyAsync(settings.Rejoin ? plan.Next : WithoutNode(plan), cancellationToken) : null;
        if (report.Succeeded && !settings.Rejoin && !settings.Json)
        {
            session.Say($"{plan.OldPrimary} is fenced; bring it back as a replica with: ./pgha rejoin --stack {plan.Current.Stack} --node {plan.OldPrimary}");
        }

        return PromotionViews.Finish(consoles, session, report, verify, settings.Json);
    }

    private async Task<int> AdoptAsync(FailoverSession session, Settings settings, string node, CancellationToken cancellationToken)
    {
        session.RequireNode("--adopt", node);
        if (settings.To is not null || settings.Rejoin)
        {
            throw new CliException("--adopt <NODE> takes neither --to nor --rejoin: it records a node that already is the primary", ExitCodes.InvalidInput);
        }

        var decision = AdoptPlanner.Plan(session.Spec, await ReplicationObserver.ObserveAsync(session.Access, cancellationToken), node);
        if (decision.Plan is not { } plan)
        {
            return PromotionViews.Refuse(consoles, "adopt", session.Spec.Primary, decision.Reason, decision.Checks, settings.Json);
        }

        session.Say($"adopt: {plan.Reason}");
        var report = await session.Runner(settings.Json).AdoptAsync(plan, cancellationToken);
        var verify = report.Succeeded ? await session.VerifyAsync(WithoutNode(plan), cancellationToken) : null;
        if (report.Succeeded && plan.OldPrimary != plan.Target && !settings.Json)
        {
            session.Say($"{plan.OldPrimary} is fenced; bring it back as a replica with: ./pgha rejoin --stack {plan.Current.Stack} --node {plan.OldPrimary}");
        }

        return PromotionViews.Finish(consoles, session, report, verify, settings.Json);
    }

    /// <summary>The cluster to verify while the old primary is still fenced: every node but it.</summary>
    private static Spec.ClusterSpec WithoutNode(PromotionPlan plan) =>
        plan.OldPrimary == plan.Target ? plan.Next : plan.Next with { Nodes = [.. plan.Next.Nodes.Where(n => n.Name != plan.OldPrimary)] };
}
