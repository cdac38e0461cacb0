using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace PgHaInfra.Operations.Drills.Restore;

/// <summary>Writes the restore drill's report.md, report.json and timeline.svg, as the failover drills do.</summary>
public static class RestoreDrillReportWriter
{
    public static async Task<string> WriteAsync(RestoreDrillReport report, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, DrillReportWriter.Timeline), Svg(report), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, DrillReportWriter.Json), ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, DrillReportWriter.Markdown), ToMarkdown(report), cancellationToken);
        return directory;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    public static JsonObject ToJson(RestoreDrillReport r) => new()
    {
        ["schema"] = "pgha.drill.restore/v1",
        ["kind"] = "restore",
        ["stack"] = r.Stack,
        ["scratchStack"] = r.ScratchStack,
        ["backup"] = r.BackupLabel,
        ["startedAt"] = r.StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["endedAt"] = r.EndedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["target"] = r.Target.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["passed"] = r.Passed,
        ["verdict"] = r.Verdict,
        ["rowsWritten"] = r.Rows.Length,
        ["rowsBeforeTarget"] = r.Expected.Length,
        ["rowsRestored"] = r.Restored.Length,
        ["missing"] = new JsonArray([.. r.Missing.Select(id => (JsonNode)id)]),
        ["unexpected"] = new JsonArray([.. r.Unexpected.Select(id => (JsonNode)id)]),
        ["restoreMs"] = Ms(r.RestoreDuration),
        ["rpoMs"] = r.RecoveryPointGap is { } gap ? Ms(gap) : null,
        ["restoredTimeline"] = r.RestoredTimeline,
        ["steps"] = new JsonArray([.. r.Steps.Select(s => (JsonNode)new JsonObject
        {
            ["step"] = s.Step,
            ["startedAt"] = s.StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["ms"] = Ms(s.Elapsed),
            ["detail"] = s.Detail,
        })]),
    };

    public static string ToMarkdown(RestoreDrillReport r)
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Restore drill on stack {r.Stack}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"**{r.Verdict}**")
            .AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("| --- | --- |")
            .AppendLine(CultureInfo.InvariantCulture, $"| backup | {r.BackupLabel} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| target | {r.Target.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC |")
            .AppendLine(CultureInfo.InvariantCulture, $"| rows written (before / after the target) | {r.Rows.Length} ({r.Expected.Length} / {r.Rows.Length - r.Expected.Length}) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| rows in the restored cluster ({r.ScratchStack}) | {r.Restored.Length} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| missing (committed before the target) | {r.Missing.Length} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| unexpected (committed after the target) | {r.Unexpected.Length} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| restore duration (copy + recovery) | {Ms(r.RestoreDuration)} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| RPO: target − last restored commit | {(r.RecoveryPointGap is { } g ? Ms(g) + " ms" : "none")} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| restored cluster's timeline | {r.RestoredTimeline} |")
            .AppendLine()
            .AppendLine("| step | ms | detail |")
            .AppendLine("| --- | --- | --- |");
        foreach (var s in r.Steps)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Step} | {Ms(s.Elapsed)} | {s.Detail.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return text.AppendLine().AppendLine("![timeline](timeline.svg)").ToString();
    }

    /// <summary>Each committed row as a point (restored ones green, lost red, correctly absent grey), the steps as bands, the target as a line.</summary>
    public static string Svg(RestoreDrillReport r, double width = 1100, double height = 420)
    {
        double At(DateTimeOffset t) => (t - r.StartedAt).TotalSeconds;
        var model = new PlotModel { Title = $"pgha drill: restore on stack {r.Stack}", Subtitle = r.Verdict, Background = OxyColors.White, TitleFontSize = 15, SubtitleFontSize = 12 };
        model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside, LegendPosition = LegendPosition.BottomCenter, LegendOrientation = LegendOrientation.Horizontal });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "seconds since the drill started", Minimum = 0, Maximum = At(r.EndedAt), StringFormat = "0.0" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "row id", Minimum = 0, Maximum = Math.Max(1, r.Rows.Length) * 1.1 });
        var restored = r.Restored.ToHashSet();
        var expected = r.Expected.ToHashSet();
        var kept = new ScatterSeries { Title = "committed, restored", MarkerType = MarkerType.Circle, MarkerSize = 2, MarkerFill = OxyColor.FromRgb(0x2a, 0x7a, 0x2a) };
        var absent = new ScatterSeries { Title = "committed after the target, absent", MarkerType = MarkerType.Circle, MarkerSize = 2, MarkerFill = OxyColor.FromRgb(0x99, 0x99, 0x99) };
        var wrong = new ScatterSeries { Title = "wrong (lost, or restored past the target)", MarkerType = MarkerType.Diamond, MarkerSize = 4, MarkerFill = OxyColor.FromRgb(0xc0, 0x30, 0x30) };
        foreach (var row in r.Rows)
        {
            var point = new ScatterPoint(At(row.Acknowledged), row.Id);
            (restored.Contains(row.Id) == expected.Contains(row.Id) ? (restored.Contains(row.Id) ? kept : absent) : wrong).Points.Add(point);
        }

        model.Series.Add(kept);
        model.Series.Add(absent);
        model.Series.Add(wrong);
        foreach (var s in r.Steps)
        {
            model.Annotations.Add(new RectangleAnnotation
            {
                MinimumX = At(s.StartedAt), MaximumX = Math.Max(At(s.EndedAt), At(s.StartedAt) + 0.02),
                Fill = OxyColor.FromAColor(40, OxyColor.FromRgb(0x30, 0x50, 0xa0)), Text = s.Step, TextRotation = -90, FontSize = 10,
            });
        }

        model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = At(r.Target), Text = "target", Color = OxyColor.FromRgb(0xc0, 0x30, 0x30), TextColor = OxyColor.FromRgb(0xc0, 0x30, 0x30), FontSize = 10 });
        var exporter = new SvgExporter { Width = width, Height = height, IsDocument = true };
        using var stream = new MemoryStream();
        exporter.Export(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
