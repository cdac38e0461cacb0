using System.ComponentModel;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using Npgsql;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>
/// A failover test as code: a continuous writer through the write endpoint, a switchover (or a SIGKILL of the
/// primary and a failover, then a rejoin), then RTO, RPO and the post-deploy check, written as report.md, report.json
/// and timeline.svg. Exits 0 only when no acknowledged commit was lost and the cluster verified: schedule it.
/// </summary>
public sealed class DrillCommand(CliConsoles consoles) : AsyncCommand<DrillCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--kind <KIND>")]
        [Description("switchover (planned, to the best replica), failover (SIGKILL of the primary, then failover and rejoin) or restore (PITR into a scratch cluster); in patroni mode node-loss, manager-loss or manager-freeze.")]
        [DefaultValue("switchover")]
        public string Kind { get; init; } = "switchover";

        [CommandOption("--out <DIR>")]
        [Description("Where to write report.md, report.json and timeline.svg. Default: artifacts/drills/<stack>-<kind>-<UTC time>.")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print the report's JSON on stdout as well.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (await settings.LoadAsync(cancellationToken) is { Failover.IsPatroni: true })
        {
            await using var patroni = await settings.OpenForChangeAsync("drill", cancellationToken);
            return await Patroni.PatroniDrillVerb.RunAsync(consoles, patroni, settings.Kind, settings.Out, settings.Json, cancellationToken);
        }

        if (settings.Kind == "restore")
        {
            return await Backup.RestoreDrillRun.RunAsync(settings, consoles, cancellationToken);
        }

        var kind = settings.Kind switch
        {
            "switchover" => DrillKind.Switchover,
            "failover" => DrillKind.Failover,
            _ => throw new CliException($"--kind = \"{settings.Kind}\": unknown drill. Allowed: switchover, failover, restore", ExitCodes.InvalidInput),
        };
        await using var session = await FailoverSession.OpenAsync(settings, consoles, "drill", cancellationToken);
        if (session.Spec.ReplicaCount == 0)
        {
            throw new CliException($"stack {session.Spec.Stack} has no replicas: a drill needs one to promote", ExitCodes.InvalidInput);
        }

        var endpoints = ClusterEndpoints.For(session.Spec, session.Access.Addresses, session.Access.Credentials.Superuser);
        var write = new NpgsqlConnectionStringBuilder(endpoints.Write) { Password = session.Access.Credentials.SuperuserPassword }.ConnectionString;
        var drill = new Drill(session.Access, session.Control, session.Control, write,
            async (spec, ct) =>
            {
                var report = await session.VerifyAsync(spec, ct);
                return (report.Passed, report.Summary);
            },
            session.PrintStep);
        session.Say($"drill: {settings.Kind} on stack {session.Spec.Stack} under continuous writes through the write endpoint");
        var result = await drill.RunAsync(DrillOptions.For(kind), cancellationToken);
        return await Finish(consoles, result, session.Spec.Stack, settings.Kind, settings.Out, settings.Json, cancellationToken);
    }

    /// <summary>Writes the drill's report files and shows its measures (or its JSON); the exit code says whether it passed. Shared with `pgha docker drill`.</summary>
    internal static async Task<int> Finish(CliConsoles consoles, DrillReport result, string stack, string kind, string? outDirectory, bool json, CancellationToken cancellationToken)
    {
        var directory = outDirectory ?? Path.Combine("artifacts", "drills", $"{stack}-{kind}-{result.StartedAt.UtcDateTime:yyyyMMddTHHmmss}Z");
        await DrillReportWriter.WriteAsync(result, directory, cancellationToken);
        if (json)
        {
            PromotionViews.WriteJson(consoles.Out, DrillReportWriter.ToJson(result));
        }
        else
        {
            var m = result.Metrics;
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value")
                .AddRow("decision", Markup.Escape(result.Promotion.Reason))
                .AddRow("RTO: longest time without an acknowledged write", $"{m.LongestGap.TotalMilliseconds:0} ms")
                .AddRow($"RTO: fence -> first write on {Markup.Escape(result.Promotion.NewPrimary)}", m.FenceToFirstWrite is { } f ? $"{f.TotalMilliseconds:0} ms" : "none")
                .AddRow("RPO: acknowledged commits missing", m.Missing.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .AddRow("writes attempted / acknowledged / failed", $"{m.Attempted} / {m.Acknowledged} / {m.Failed}")
                .AddRow("post-drill check", Markup.Escape(result.VerifySummary))
                .AddRow("report", Markup.Escape(Path.Combine(directory, DrillReportWriter.Markdown)));
            consoles.Out.Write(table);
        }

        consoles.Error.WriteLine($"drill: {result.Verdict}", Style.Plain);
        return result.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
