using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Local.Failover;

/// <summary>The few pg_controldata fields a switchover needs: whether the server shut down cleanly, and where.</summary>
public sealed record ControlData(string ClusterState, Lsn LatestCheckpoint)
{
    public bool ShutDownCleanly => ClusterState is "shut down" or "shut down in recovery";

    public static async Task<ControlData> ReadAsync(PostgresBinaries binaries, ProcessRunner runner, string dataDirectory, CancellationToken cancellationToken)
    {
        var result = await runner.RunCheckedAsync($"pg_controldata {dataDirectory}", binaries.PathOf(PostgresBinaries.PgControldata),
            ["--pgdata", dataDirectory], cancellationToken, new Dictionary<string, string> { ["LC_ALL"] = "C" }).ConfigureAwait(false);
        return Parse(result.StandardOutput);
    }

    public static ControlData Parse(string output)
    {
        var fields = output.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        string Field(string name) => fields.TryGetValue(name, out var value) ? value : throw new LocalEngineException($"pg_controldata printed no \"{name}\"");
        return new ControlData(
            Field("Database cluster state"),
            Lsn.Parse(Field("Latest checkpoint location")));
    }
}
