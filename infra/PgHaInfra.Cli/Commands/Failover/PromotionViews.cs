using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Verification;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>Tables for humans and JSON for machines, for switchover, failover and rejoin.</summary>
internal static class PromotionViews
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Table Checks(IEnumerable<PreconditionCheck> checks)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "result", "what was seen");
        foreach (var check in checks)
        {
            table.AddRow(
                Markup.Escape(check.Name),
                check.Passed ? "[green]ok[/]" : check.Overridden ? "[yellow]overridden (--force)[/]" : "[red]FAILED[/]",
                Markup.Escape(check.Detail));
        }

        return table;
    }

    public static Table Steps(PromotionReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("step", "node", "took", "what happened");
        foreach (var step in report.Steps)
        {
            table.AddRow(Markup.Escape(step.Step), Markup.Escape(step.Node ?? ""), FailoverSession.Time(step.Elapsed), Markup.Escape(step.Detail));
        }

        return table;
    }

    /// <summary>The promotion's stable JSON (schema in docs/failover.md) with the post-deploy check added.</summary>
    public static JsonObject Json(JsonObject promotion, VerificationReport? verify)
    {
        promotion["verify"] = verify is null ? null : new JsonObject
        {
            ["passed"] = verify.Passed,
            ["summary"] = verify.Summary,
        };
        return promotion;
    }

    public static void WriteJson(IAnsiConsole console, JsonNode json) =>
        console.Profile.Out.Writer.WriteLine(json.ToJsonString(Indented));

    /// <summary>Prints the result (table or JSON) and turns it into the exit code: 0 only when it succeeded and verified.</summary>
    public static int Finish(CliConsoles consoles, FailoverSession session, PromotionReport report, VerificationReport? verify, bool json) =>
        Finish(consoles, session.Say, report, verify, json);

    /// <param name="say">Where the closing verify line goes (stderr, beside the step progress).</param>
    public static int Finish(CliConsoles consoles, Action<string> say, PromotionReport report, VerificationReport? verify, bool json)
    {
        if (json)
        {
            WriteJson(consoles.Out, Json(PromotionJson.Of(report), verify));
        }
        else
        {
            consoles.Out.Write(Steps(report));
            consoles.Out.MarkupLineInterpolated($"{report.Kind}: {report.OldPrimary} -> {report.NewPrimary} in {FailoverSession.Time(report.Total)}. {report.Reason}");
        }

        if (!report.Succeeded)
        {
            consoles.Error.WriteLine($"pgha: {report.Kind} failed: {report.Error}" + (report.Aftermath is { } after ? $"\n  now: {after}" : ""), Style.Plain);
            return ExitCodes.Failed;
        }

        if (verify is { Passed: false })
        {
            consoles.Error.WriteLine($"pgha: {report.Kind} done, but the post-deploy check failed:\n{verify.Summary}", Style.Plain);
            return ExitCodes.Failed;
        }

        say($"verify: {verify?.Summary ?? "skipped"}");
        return ExitCodes.Ok;
    }

    /// <summary>A refusal: nothing changed. The reason goes to stderr (and the checks to stdout as a table or JSON).</summary>
    public static int Refuse(CliConsoles consoles, string kind, string oldPrimary, string reason, IReadOnlyCollection<PreconditionCheck> checks, bool json)
    {
        if (json)
        {
            WriteJson(consoles.Out, PromotionJson.Refusal(kind, oldPrimary, reason, checks));
        }
        else if (checks.Count > 0)
        {
            consoles.Out.Write(Checks(checks));
        }

        consoles.Error.WriteLine($"pgha: {reason}. Nothing was changed.", Style.Plain);
        return ExitCodes.Failed;
    }
}
