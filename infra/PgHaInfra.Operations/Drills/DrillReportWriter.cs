using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgHaInfra.Operations.Failover;

namespace PgHaInfra.Operations.Drills;

/// <summary>Writes a drill's report as report.md, report.json and timeline.svg into one folder.</summary>
public static class DrillReportWriter
{
    public const string Markdown = "report.md";
    public const string Json = "report.json";
    public const string Timeline = "timeline.svg";

    public static async Task<string> WriteAsync(DrillReport report, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, Timeline), DrillTimeline.Svg(report), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, Json), ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, Markdown), ToMarkdown(report), cancellationToken);
        return directory;
    }

    /// <summary>The stable schema (docs/failover.md): durations in milliseconds, times ISO 8601 UTC.</summary>
    public static JsonObject ToJson(DrillReport report)
    {
        var m = report.Metrics;
        return new JsonObject
        {
            ["schema"] = PromotionJson.SchemaVersion,
            ["kind"] = report.Kind,
            ["stack"] = report.Stack,
            ["passed"] = report.Passed,
            ["verdict"] = report.Verdict,
            ["startedAt"] = report.StartedAt.UtcDateTime.ToString("O"),
            ["endedAt"] = report.EndedAt.UtcDateTime.ToString("O"),
            ["oldPrimary"] = report.Promotion.OldPrimary,
            ["newPrimary"] = report.Promotion.NewPrimary,
            ["reason"] = report.Promotion.Reason,
            ["rto"] = new JsonObject
            {
                ["longestWriteGapMs"] = PromotionJson.Ms(m.LongestGap),
                ["writesStoppedAt"] = m.WritesStopped?.UtcDateTime.ToString("O"),
                ["writesResumedAt"] = m.WritesResumed?.UtcDateTime.ToString("O"),
                ["fenceToFirstWriteMs"] = m.FenceToFirstWrite is { } f ? PromotionJson.Ms(f) : null,
            },
            ["rpo"] = new JsonObject
            {
                ["missingAcknowledgedCommits"] = m.Missing.Length,
                ["missingIds"] = new JsonArray([.. m.Missing.Take(100).Select(id => (JsonNode)id)]),
            },
            ["writes"] = new JsonObject { ["attempted"] = m.Attempted, ["acknowledged"] = m.Acknowledged, ["failed"] = m.Failed },
            ["verify"] = new JsonObject { ["passed"] = report.VerifyPassed, ["summary"] = report.VerifySummary },
            ["promotion"] = PromotionJson.Of(report.Promotion),
            ["rejoin"] = report.Rejoin is { } r ? PromotionJson.Of(r) : null,
        };
    }

    public static string ToMarkdown(DrillReport report)
    {
        var m = report.Metrics;
        string T(DateTimeOffset t) => $"+{(t - report.StartedAt).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# pgha drill: {report.Kind} on stack `{report.Stack}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"**{report.Verdict}**")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Started {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC, {(report.EndedAt - report.StartedAt).TotalSeconds:0.0} s in all. ")
            .AppendLine(CultureInfo.InvariantCulture, $"{report.Promotion.OldPrimary} → {report.Promotion.NewPrimary}. Decision: {report.Promotion.Reason}.")
            .AppendLine()
            .AppendLine("| measure | value |")
            .AppendLine("| --- | --- |")
            .AppendLine(CultureInfo.InvariantCulture, $"| RTO: longest time with no acknowledged write | {m.LongestGap.TotalMilliseconds:0} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| RTO: fence → first write on {report.Promotion.NewPrimary} | {(m.FenceToFirstWrite is { } f ? $"{f.TotalMilliseconds:0} ms" : "none seen")} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| RPO: acknowledged commits missing on {report.Promotion.NewPrimary} | {m.Missing.Length} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| writes attempted / acknowledged / failed | {m.Attempted} / {m.Acknowledged} / {m.Failed} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| writes stopped / resumed | {(m.WritesStopped is { } s ? T(s) : "-")} / {(m.WritesResumed is { } r ? T(r) : "-")} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| post-drill check | {(report.VerifyPassed ? "passed" : "FAILED")}: {Escape(report.VerifySummary)} |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"![acknowledged writes per 100 ms]({Timeline})")
            .AppendLine()
            .AppendLine("## Steps")
            .AppendLine()
            .AppendLine("| at | step | node | took | what happened |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var step in report.Steps)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {T(step.StartedAt)} | {step.Step} | {step.Node ?? ""} | {step.Elapsed.TotalMilliseconds:0} ms | {Escape(step.Detail)} |");
        }

        text.AppendLine().AppendLine("## Checks before the promotion").AppendLine();
        foreach (var check in report.Promotion.Checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {(check.Passed ? "ok" : check.Overridden ? "overridden by --force" : "FAILED")} **{check.Name}**: {check.Detail}");
        }

        if (!m.Missing.IsEmpty)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Missing acknowledged ids (first 100): {string.Join(", ", m.Missing.Take(100))}");
        }

        return text.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
