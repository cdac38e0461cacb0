using PgHaInfra.Operations.Lag;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PgHaInfra.Cli.Commands.Lag;

/// <summary>The human view of a lag report: a header line, the replica table, the slot table and the verdict.</summary>
public static class LagView
{
    public static IRenderable Render(LagReport report, string? footer = null)
    {
        var header = new Markup(Markup.Escape(
            $"cluster {report.Cluster} (stack {report.Stack}), primary {report.Primary} at {report.PrimaryLsn?.ToString() ?? "?"}, " +
            $"probed {report.Nodes.Length} node(s) in {report.ProbeElapsed.TotalMilliseconds:0} ms at {report.ObservedAt:HH:mm:ss} UTC; " +
            $"thresholds warning {SizeText.Bytes(report.Thresholds.WarningBytes.Bytes)}/{SizeText.Seconds(report.Thresholds.WarningTime)}, " +
            $"critical {SizeText.Bytes(report.Thresholds.CriticalBytes.Bytes)}/{SizeText.Seconds(report.Thresholds.CriticalTime)}"));

        var replicas = new Table().Border(TableBorder.Rounded).Title("replicas")
            .AddColumns("replica", "upstream", "state", "behind upstream: sent/write/flush/replay", "behind primary", "time lag", "level");
        foreach (var r in report.Replicas)
        {
            var state = r.State is null ? r.ReceiverStatus ?? "-" : $"{r.State}{(r.SyncState is { } sync ? $" ({sync})" : "")}";
            if (r.ReplayPaused == true)
            {
                state += ", replay paused";
            }

            var stages = r.BehindUpstream;
            replicas.AddRow(
                new Text(r.Replica),
                new Text(r.Upstream),
                new Text(state),
                new Text($"{SizeText.Bytes(stages.Sent)}/{SizeText.Bytes(stages.Write)}/{SizeText.Bytes(stages.Flush)}/{SizeText.Bytes(stages.Replay)}"),
                new Text(SizeText.Bytes(r.LagBytes)),
                new Text(r.ApplyDelay is { } delay ? $"{SizeText.Seconds(r.TimeLag)} (delay {SizeText.Seconds(delay)})" : SizeText.Seconds(r.TimeLag)),
                Level(r.Level));
        }

        var slots = new Table().Border(TableBorder.Rounded).Title("replication slots")
            .AddColumns("node", "slot", "replica", "active", "wal_status", "retained", "level");
        foreach (var s in report.Slots)
        {
            slots.AddRow(
                new Text(s.Node),
                new Text(s.Slot),
                new Text(s.Replica ?? "(not in the stack)"),
                new Text(s.Active ? "yes" : "no"),
                new Text(s.WalStatus ?? "-"),
                new Text(SizeText.Bytes(s.RetainedBytes)),
                Level(s.Level));
        }

        var parts = new List<IRenderable> { header };
        parts.AddRange(report.ClusterProblems.Select(p => new Markup($"[red]{Markup.Escape(p)}[/]")));
        parts.Add(replicas);
        if (report.Slots.Length > 0)
        {
            parts.Add(slots);
        }

        // Reasons read better as sentences than squeezed into a column: every replica's, and every slot that is not ok.
        var reasons = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var r in report.Replicas)
        {
            reasons.AddRow(new Text(r.Replica), Level(r.Level), new Text(r.Reason));
        }

        foreach (var s in report.Slots.Where(s => s.Level != LagLevel.Ok))
        {
            reasons.AddRow(new Text($"slot {s.Slot}"), Level(s.Level), new Text(s.Reason));
        }

        if (report.Archiving is { } archiving)
        {
            reasons.AddRow(new Text("archiving"), Level(archiving.Level), new Text(archiving.Reason));
        }

        parts.Add(reasons);

        parts.Add(new Markup($"{LevelMarkup(report.Level)} (exit {report.ExitCode}): {Markup.Escape(report.Reason)}"));
        if (footer is not null)
        {
            parts.Add(new Markup($"[grey]{Markup.Escape(footer)}[/]"));
        }

        return new Rows(parts);
    }

    private static Markup Level(LagLevel level) => new(LevelMarkup(level));

    private static string LevelMarkup(LagLevel level) => level switch
    {
        LagLevel.Ok => "[green]ok[/]",
        LagLevel.Warning => "[yellow]warning[/]",
        LagLevel.Critical => "[red]critical[/]",
        _ => "[magenta]unknown[/]",
    };
}
