using System.Globalization;
using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Drills.Restore;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Backup;

/// <summary>`pgha drill --kind restore`: the restore drill into a scratch cluster, its report written like the failover drills'.</summary>
public static class RestoreDrillRun
{
    public static async Task<int> RunAsync(DrillCommand.Settings settings, CliConsoles consoles, CancellationToken cancellationToken)
    {
        await using var source = await settings.OpenForChangeAsync("drill", cancellationToken);
        if (source.Spec.Backup is null)
        {
            throw new CliException($"stack {source.Spec.Stack} sets no backup keys: a restore drill needs backups (pg-ha-infra:backup)", ExitCodes.InvalidInput);
        }

        var scratchSpec = RestoreDrill.ScratchSpec(source.Spec, RestoreDrill.FreePortAbove(source.Spec));
        var scratchState = Path.Combine(Path.GetDirectoryName(source.Layout.Root)!, scratchSpec.Stack);
        await using var scratch = await LocalCluster.OpenAsync(scratchSpec, new LocalEngineOptions(scratchState, settings.PostgresBinDirectory), cancellationToken);
        consoles.ErrorLine($"drill: restore on stack {source.Spec.Stack}: rows, backup, rows, a target, rows, then a restore to the target into {scratchSpec.Stack} (port {scratchSpec.Nodes[0].Port})");
        RestoreDrillReport report;
        try
        {
            report = await RestoreDrill.RunAsync(source, scratch, new ProgressPrinter(consoles.Error), keepScratch: false, cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"drill: restore failed: {e.Message}");
        }

        var directory = settings.Out ?? Path.Combine("artifacts", "drills", $"{source.Spec.Stack}-restore-{report.StartedAt.UtcDateTime:yyyyMMddTHHmmss}Z");
        await RestoreDrillReportWriter.WriteAsync(report, directory, cancellationToken);
        if (settings.Json)
        {
            PromotionViews.WriteJson(consoles.Out, RestoreDrillReportWriter.ToJson(report));
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value")
                .AddRow("rows before / after the target", $"{report.Expected.Length} / {report.Rows.Length - report.Expected.Length}")
                .AddRow("rows restored", report.Restored.Length.ToString(CultureInfo.InvariantCulture))
                .AddRow("missing / unexpected", $"{report.Missing.Length} / {report.Unexpected.Length}")
                .AddRow("restore duration", $"{report.RestoreDuration.TotalMilliseconds:0} ms")
                .AddRow("RPO (target − last restored commit)", report.RecoveryPointGap is { } g ? $"{g.TotalMilliseconds:0} ms" : "none")
                .AddRow("report", Markup.Escape(Path.Combine(directory, DrillReportWriter.Markdown)));
            consoles.Out.Write(table);
        }

        consoles.Error.WriteLine($"drill: {report.Verdict}", Style.Plain);
        return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
