using System.ComponentModel;
using PgHaInfra.Cli.Commands.Lag;
using PgHaInfra.Operations.Lag;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>Replication lag of the containers, assessed as for a local cluster (same thresholds, table and JSON).</summary>
public sealed class DockerLagCommand(CliConsoles consoles) : AsyncCommand<DockerLagCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--json")]
        [Description("Print the assessment as JSON (the schema of `pgha lag --json`).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        await using var probe = new LagProbe(cluster.Access);
        var report = await probe.AssessAsync(cancellationToken);
        if (settings.Json)
        {
            consoles.Out.Profile.Out.Writer.WriteLine(LagJson.Serialize(report));
            consoles.Out.Profile.Out.Writer.Flush();
        }
        else
        {
            consoles.Out.Write(LagView.Render(report));
        }

        DockerViews.ConfigLine(consoles, cluster);
        return report.ExitCode;
    }
}
