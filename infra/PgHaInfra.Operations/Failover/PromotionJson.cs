using System.Text.Json.Nodes;

namespace PgHaInfra.Operations.Failover;

/// <summary>
/// The stable JSON shape of a switchover, failover or rejoin (docs/failover.md documents it). Built field by field,
/// so a renamed C# property can never change what scripts read. Times are ISO 8601 UTC; durations are milliseconds.
/// </summary>
public static class PromotionJson
{
    public const int SchemaVersion = 1;

    public static JsonObject Of(PromotionReport report) => new()
    {
        ["schema"] = SchemaVersion,
        ["kind"] = report.Kind,
        ["succeeded"] = report.Succeeded,
        ["promoted"] = report.Promoted,
        ["oldPrimary"] = report.OldPrimary,
        ["newPrimary"] = report.NewPrimary,
        ["reason"] = report.Reason,
        ["error"] = report.Error,
        ["aftermath"] = report.Aftermath,
        ["finalLsn"] = report.FinalLsn?.ToString(),
        ["totalMs"] = Ms(report.Total),
        ["checks"] = Checks(report.Checks),
        ["steps"] = new JsonArray([.. report.Steps.Select(Step)]),
        ["rejoin"] = report.Rejoin is { } r ? new JsonObject
        {
            ["node"] = r.Node,
            ["method"] = r.Method switch { RejoinMethod.Rewind => "rewind", RejoinMethod.Reclone => "reclone", _ => "no-rewind-needed" },
            ["reason"] = r.Reason,
            ["ms"] = Ms(r.Elapsed),
        } : null,
    };

    public static JsonObject Refusal(string kind, string oldPrimary, string reason, IEnumerable<PreconditionCheck> checks) => new()
    {
        ["schema"] = SchemaVersion,
        ["kind"] = kind,
        ["succeeded"] = false,
        ["refused"] = true,
        ["oldPrimary"] = oldPrimary,
        ["newPrimary"] = oldPrimary,
        ["reason"] = reason,
        ["checks"] = Checks(checks),
        ["steps"] = new JsonArray(),
    };

    public static JsonArray Checks(IEnumerable<PreconditionCheck> checks) =>
        new([.. checks.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["passed"] = c.Passed,
            ["overridden"] = c.Overridden,
            ["detail"] = c.Detail,
        })]);

    public static JsonObject Step(StepTiming step) => new()
    {
        ["step"] = step.Step,
        ["node"] = step.Node,
        ["startedAt"] = step.StartedAt.UtcDateTime.ToString("O"),
        ["ms"] = Ms(step.Elapsed),
        ["detail"] = step.Detail,
    };

    public static double Ms(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);
}
