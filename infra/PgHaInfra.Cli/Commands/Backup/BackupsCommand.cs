using System.ComponentModel;
using System.Text.Json.Nodes;
using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Backup;

/// <summary>
/// Lists the stack's backups: label, type, start and stop, sizes, and the WAL range each needs. --json prints
/// pgBackRest's own `info --output=json` document, so tools written for pgBackRest read it unchanged.
/// </summary>
public sealed class BackupsCommand(CliConsoles consoles) : AsyncCommand<BackupsCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--json")]
        [Description("Print pgBackRest's info --output=json for the stack's stanza.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        Operations.Backup.BackupCatalog catalog;
        try
        {
            catalog = await LocalBackup.InfoAsync(cluster, cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"backups: {e.Message}");
        }

        if (settings.Json)
        {
            consoles.Out.Profile.Out.Writer.Write(JsonNode.Parse(catalog.Json)!.ToJsonString(Views.Json) + "\n");
            return ExitCodes.Ok;
        }

        consoles.Out.WriteLine($"stanza {catalog.Stanza} ({catalog.Status}); archived WAL {catalog.ArchiveMin ?? "none"} .. {catalog.ArchiveMax ?? "none"}", Style.Plain);
        consoles.Out.Write(BackupsView.Table(catalog));
        return ExitCodes.Ok;
    }
}
