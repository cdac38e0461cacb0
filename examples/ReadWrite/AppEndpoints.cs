using System.Text.Json;
using Npgsql;

namespace PgHaInfra.Examples.ReadWrite;

/// <summary>
/// The two connection strings pgha prints (`pgha up`, `pgha status --json`: writeEndpoint, readEndpoint; the Pulumi
/// output connectionStrings): multi-host, Target Session Attributes=read-write / prefer-standby. No password in them.
/// </summary>
public sealed record AppEndpoints(string Write, string Read)
{
    /// <summary>Reads the endpoints from the output of `pgha status --json` (schema version 1).</summary>
    public static AppEndpoints FromStatusJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"pgha status --json: field '{name}' is missing or not a string");
        return new AppEndpoints(Field("writeEndpoint"), Field("readEndpoint"));
    }

    /// <summary>
    /// The same endpoints without some hosts (host:port), e.g. a delayed disaster-recovery replica that must never
    /// serve reads: its data is behind by design.
    /// </summary>
    public AppEndpoints Without(IReadOnlyCollection<string> hostPorts)
    {
        string Drop(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var kept = (builder.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(h => !hostPorts.Contains(h, StringComparer.OrdinalIgnoreCase))
                .ToList();
            builder.Host = kept.Count > 0 ? string.Join(',', kept) : throw new ArgumentException("removing these hosts leaves none", nameof(hostPorts));
            return builder.ConnectionString;
        }

        return new AppEndpoints(Drop(Write), Drop(Read));
    }
}
