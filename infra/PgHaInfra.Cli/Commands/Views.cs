using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Verification;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands;

/// <summary>Shared renderings: the verification table and the endpoints, and the JSON options every --json uses.</summary>
public static class Views
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

        // For terminals and scripts, not HTML: "role + slots", not "role \u002B slots".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void WriteJson<T>(IAnsiConsole console, T value) =>
        console.Profile.Out.Writer.Write(JsonSerializer.Serialize(value, Json) + "\n");

    public static Table Verification(VerificationReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("node", "check", "result", "observed", "expected");
        foreach (var r in report.Results)
        {
            table.AddRow(
                new Text(r.Node),
                new Text(r.Check),
                new Markup(r.Passed ? "[green]pass[/]" : "[red]FAIL[/]"),
                new Text(r.Observed),
                new Text(r.Expected));
        }

        return table;
    }

    public static void Endpoints(IAnsiConsole console, ClusterEndpoints endpoints)
    {
        // Raw lines: a connection string must not be wrapped at the console width when copied.
        var w = console.Profile.Out.Writer;
        w.Write("write endpoint (the primary, wherever it is):\n");
        w.Write($"  Npgsql: {endpoints.Write}\n");
        w.Write($"  libpq:  {endpoints.WriteLibpq}\n");
        w.Write("read endpoint (replicas first, load-balanced):\n");
        w.Write($"  Npgsql: {endpoints.Read}\n");
        w.Write($"  libpq:  {endpoints.ReadLibpq}\n");
    }

    public static object EndpointsJson(ClusterEndpoints endpoints) => new
    {
        write = endpoints.Write,
        read = endpoints.Read,
        writeLibpq = endpoints.WriteLibpq,
        readLibpq = endpoints.ReadLibpq,
    };

    public static object VerificationJson(VerificationReport report) => new
    {
        passed = report.Passed,
        summary = report.Summary,
        results = report.Results.Select(r => new { node = r.Node, check = r.Check, passed = r.Passed, observed = r.Observed, expected = r.Expected }),
    };
}
