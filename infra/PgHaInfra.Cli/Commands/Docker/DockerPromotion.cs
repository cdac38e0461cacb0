using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Docker;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Verification;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>What switchover, failover and rejoin on Docker share: the runner over the container control, step progress on stderr, the closing check and the stack's config line.</summary>
internal sealed class DockerPromotion(CliConsoles consoles, DockerCluster cluster, bool allowReclone, bool quiet)
{
    public DockerNodeControl Control { get; } = new(cluster) { AllowReclone = allowReclone };

    public PromotionRunner Runner() => new(cluster.Access, Control, onStep: quiet ? null : Print);

    public void Say(string line) => consoles.Error.WriteLine(line, Style.Plain);

    public void RequireNode(string option, string node)
    {
        if (!cluster.Spec.HasNode(node))
        {
            throw new CliException($"{option} = \"{node}\": stack {cluster.Spec.Stack} has no such node. Allowed: {string.Join(", ", cluster.Spec.Nodes.Select(n => n.Name))}", ExitCodes.InvalidInput);
        }
    }

    public async Task<int> FinishAsync(PromotionReport report, bool verify, bool json, CancellationToken cancellationToken)
    {
        VerificationReport? check = null;
        if (report.Succeeded && verify)
        {
            // The check of the cluster's new shape: the spec with the primary just recorded.
            await using var access = ClusterAccess.ThroughPublishedPorts(cluster.Spec, cluster.Spec.Docker.CheckHost, cluster.Credentials);
            check = await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(15)), cancellationToken);
        }

        var code = PromotionViews.Finish(consoles, Say, report, check, json);
        if (report.Promoted)
        {
            DockerViews.ConfigLine(consoles, cluster);
        }

        return code;
    }

    public void Print(StepTiming step) =>
        consoles.Error.MarkupLineInterpolated($"  [bold]{step.Step,-18}[/] {step.Node ?? "",-12} [grey]{FailoverSession.Time(step.Elapsed),8}[/]  {step.Detail}");
}
