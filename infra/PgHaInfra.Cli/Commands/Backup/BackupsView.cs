using System.Globalization;
using PgHaInfra.Operations.Backup;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Backup;

/// <summary>How backups are shown: a table for people, objects for --json.</summary>
public static class BackupsView
{
    public static Table Table(BackupCatalog catalog)
    {
        var table = new Table().AddColumns("label", "type", "start (UTC)", "stop (UTC)", "database", "copied", "repository", "WAL start", "WAL stop");
        foreach (var b in catalog.Backups)
        {
            table.AddRow(b.Label, b.Type, Time(b.Start), Time(b.Stop), Size(b.DatabaseSize), Size(b.BackupSize), Size(b.RepositorySize), b.WalStart ?? "", b.WalStop ?? "");
        }

        return table;
    }

    public static object Json(BackupEntry b) => new
    {
        label = b.Label,
        type = b.Type,
        prior = b.Prior,
        timestamp = new { start = b.Start.ToUnixTimeSeconds(), stop = b.Stop.ToUnixTimeSeconds() },
        info = new { size = b.DatabaseSize, delta = b.BackupSize, repository = new { delta = b.RepositorySize } },
        archive = new { start = b.WalStart, stop = b.WalStop },
        lsn = new { start = b.LsnStart, stop = b.LsnStop },
        error = b.Error,
    };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Size(long bytes) => Operations.Lag.SizeText.Bytes(bytes);
}
