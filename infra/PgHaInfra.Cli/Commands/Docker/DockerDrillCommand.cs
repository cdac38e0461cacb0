using System.ComponentModel;
using Npgsql;
using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Verification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>
/// The switchover or failover drill on Docker: the same drill as locally (continuous writes through the write
/// endpoint, RTO, RPO, report.md, report.json, timeline.svg), with `docker kill` of the primary's container as the lost
/// host, the container control, and the write name moved in the record-primary step.
/// </summary>
public sealed class DockerDrillCommand(CliConsoles consoles) : AsyncCommand<DockerDrillCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--kind <KIND>")]
        [Description("switchover (planned, to the best replica) or failover (docker kill of the primary's container, then failover and rejoin).")]
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
        var kind = settings.Kind switch
        {
            "switchover" => DrillKind.Switchover,
            "failover" => DrillKind.Failover,
            _ => throw new CliException($"--kind = \"{settings.Kind}\": unknown drill on Docker. Allowed: switchover, failover", ExitCodes.InvalidInput),
        };
        await using var cluster = await settings.OpenAsync(cancellationToken);
        if (cluster.Spec.ReplicaCount == 0)
        {
            throw new CliException($"stack {cluster.Spec.Stack} has no replicas: a drill needs one to promote", ExitCodes.InvalidInput);
        }

        var promotion = new DockerPromotion(consoles, cluster, allowReclone: false, quiet: settings.Json);
        var endpoints = ClusterEndpoints.For(cluster.Spec, cluster.Access.Addresses, cluster.Credentials.Superuser);
        var write = new NpgsqlConnectionStringBuilder(endpoints.Write) { Password = cluster.Credentials.SuperuserPassword }.ConnectionString;
        var drill = new Drill(cluster.Access, promotion.Control, promotion.Control, write,
            async (spec, ct) =>
            {
                await using var access = ClusterAccess.ThroughPublishedPorts(spec, spec.Docker.CheckHost, cluster.Credentials);
                var report = await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(15)), ct);
                return (report.Passed, report.Summary);
            },
            promotion.Print);
        promotion.Say($"drill: {settings.Kind} on Docker stack {cluster.Spec.Stack} under continuous writes through the write endpoint");
        var result = await drill.RunAsync(DrillOptions.For(kind), cancellationToken);
        var code = await DrillCommand.Finish(consoles, result, cluster.Spec.Stack, settings.Kind, settings.Out, settings.Json, cancellationToken);
        DockerViews.ConfigLine(consoles, cluster);
        return code;
    }
}
