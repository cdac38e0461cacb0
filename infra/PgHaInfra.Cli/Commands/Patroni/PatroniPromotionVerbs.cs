using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Patroni;
using PgHaInfra.Operations.Verification;

namespace PgHaInfra.Cli.Commands.Patroni;

/// <summary>`pgha switchover` and `pgha failover` in patroni mode: pgha's preconditions, then Patroni's REST API, then the post-deploy check.</summary>
internal static class PatroniPromotionVerbs
{
    public static async Task<int> RunAsync(CliConsoles consoles, LocalCluster cluster, string kind, string? to, bool force, bool json, CancellationToken cancellationToken)
    {
        var spec = cluster.StackSpec;
        using var client = new PatroniClient(spec, PatroniEngine.Host);
        var view = await client.ClusterAsync(cancellationToken)
            ?? throw new CliException($"{kind}: no Patroni member of stack {spec.Stack} answered on its REST API; is the stack up?");
        var decision = kind == "switchover"
            ? PatroniPreconditions.Switchover(spec, view, to ?? throw new CliException("--to <NODE> is required: the replica to promote", ExitCodes.InvalidInput))
            : PatroniPreconditions.Failover(spec, view, to, force);
        if (decision.Refused)
        {
            if (json)
            {
                Views.WriteJson(consoles.Out, new { kind, refused = true, leader = decision.Leader, reason = decision.Reason });
            }

            consoles.ErrorLine($"pgha: {kind} refused: {decision.Reason}. Nothing was changed.");
            return ExitCodes.Failed;
        }

        consoles.ErrorLine($"{kind}: {decision.Reason}; asking Patroni (POST /{kind})");
        var report = await PatroniPromotion.RunAsync(client, decision, planned: kind == "switchover", TimeSpan.FromSeconds(90), cancellationToken);
        VerificationReport? verify = null;
        if (report.Succeeded)
        {
            await cluster.RecordPrimaryAsync(report.Target, $"{kind} from {report.OldLeader} through Patroni", cancellationToken);
            verify = (await PatroniVerbs.VerifyAsync(cluster, new StreamingCheckOptions(TimeSpan.FromSeconds(30)), cancellationToken)).Report;
        }

        if (json)
        {
            Views.WriteJson(consoles.Out, new
            {
                kind,
                refused = false,
                succeeded = report.Succeeded && verify?.Passed == true,
                oldLeader = report.OldLeader,
                target = report.Target,
                newLeader = report.NewLeader,
                reason = report.Reason,
                patroni = new { status = report.PatroniStatus, reply = report.PatroniReply },
                secondsToNewLeader = report.ToNewLeader.TotalSeconds,
                secondsToAllRunning = report.ToAllRunning.TotalSeconds,
                verification = verify is null ? null : Views.VerificationJson(verify),
            });
        }
        else
        {
            consoles.Out.Profile.Out.Writer.Write($"Patroni ({report.PatroniStatus}): {report.PatroniReply}\n");
            if (verify is not null)
            {
                consoles.Out.Write(Views.Verification(verify));
            }
        }

        string S(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        if (!report.Succeeded)
        {
            consoles.ErrorLine($"pgha: {kind} failed: Patroni answered {report.PatroniStatus}: {report.PatroniReply}; leader now {report.NewLeader ?? "none"}");
            return ExitCodes.Failed;
        }

        if (verify is { Passed: false })
        {
            consoles.ErrorLine($"pgha: {kind} done ({report.Target} leads after {S(report.ToNewLeader)} s), but the post-deploy check failed:\n{verify.Summary}");
            return ExitCodes.Failed;
        }

        consoles.ErrorLine($"{kind}: {report.Target} is Patroni's leader after {S(report.ToNewLeader)} s, every member running after {S(report.ToAllRunning)} s; {verify!.Summary}");
        return ExitCodes.Ok;
    }
}
