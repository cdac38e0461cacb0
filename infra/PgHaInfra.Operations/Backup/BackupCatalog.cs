using System.Collections.Immutable;
using System.Text.Json;

namespace PgHaInfra.Operations.Backup;

/// <summary>One backup in the repository, as pgBackRest's info reports it.</summary>
/// <param name="Label">pgBackRest's label, e.g. 20261201-221500F_20261201-223000I.</param>
/// <param name="Type">full, diff or incr.</param>
/// <param name="Prior">The backup an incremental or differential one depends on.</param>
/// <param name="DatabaseSize">The cluster's size when backed up.</param>
/// <param name="BackupSize">What this backup copied (less than the database for diff and incr).</param>
/// <param name="RepositorySize">What this backup takes in the repository, compressed.</param>
/// <param name="WalStart">The first WAL segment a restore of it needs.</param>
/// <param name="WalStop">The last WAL segment needed to make it consistent.</param>
public sealed record BackupEntry(
    string Label, string Type, string? Prior, DateTimeOffset Start, DateTimeOffset Stop,
    long DatabaseSize, long BackupSize, long RepositorySize, string? WalStart, string? WalStop, string? LsnStart, string? LsnStop, bool Error)
{
    public TimeSpan Duration => Stop - Start;
}

/// <summary>A stanza's backups and archive range, parsed from <c>pgbackrest info --output=json</c> (kept verbatim for --json).</summary>
public sealed record BackupCatalog(string Stanza, string Status, ImmutableArray<BackupEntry> Backups, string? ArchiveMin, string? ArchiveMax, string Json)
{
    public BackupEntry? Latest => Backups.IsEmpty ? null : Backups[^1];

    /// <summary>Parses the JSON pgBackRest prints for one stanza (an array of one stanza object).</summary>
    public static BackupCatalog Parse(string json, string stanza)
    {
        using var document = JsonDocument.Parse(json);
        var entry = document.RootElement.EnumerateArray().FirstOrDefault(s => s.GetProperty("name").GetString() == stanza);
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return new BackupCatalog(stanza, "missing stanza", [], null, null, json);
        }

        var status = entry.GetProperty("status").GetProperty("message").GetString() ?? "";
        var backups = entry.TryGetProperty("backup", out var list)
            ? list.EnumerateArray().Select(Backup).ToImmutableArray()
            : [];
        string? min = null, max = null;
        if (entry.TryGetProperty("archive", out var archives))
        {
            foreach (var archive in archives.EnumerateArray())
            {
                min ??= archive.GetProperty("min").GetString();
                max = archive.GetProperty("max").GetString() ?? max;
            }
        }

        return new BackupCatalog(stanza, status, backups, min, max, json);
    }

    private static BackupEntry Backup(JsonElement b)
    {
        var info = b.GetProperty("info");
        var timestamp = b.GetProperty("timestamp");
        var archive = b.TryGetProperty("archive", out var a) ? a : default;
        var lsn = b.TryGetProperty("lsn", out var l) ? l : default;
        static string? Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new BackupEntry(
            b.GetProperty("label").GetString() ?? "",
            b.GetProperty("type").GetString() ?? "",
            Text(b, "prior"),
            DateTimeOffset.FromUnixTimeSeconds(timestamp.GetProperty("start").GetInt64()),
            DateTimeOffset.FromUnixTimeSeconds(timestamp.GetProperty("stop").GetInt64()),
            info.GetProperty("size").GetInt64(),
            info.GetProperty("delta").GetInt64(),
            info.GetProperty("repository").GetProperty("delta").GetInt64(),
            Text(archive, "start"),
            Text(archive, "stop"),
            Text(lsn, "start"),
            Text(lsn, "stop"),
            b.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.True);
    }
}
