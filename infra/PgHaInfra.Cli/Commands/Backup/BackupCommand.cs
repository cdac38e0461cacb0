using System.ComponentModel;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Backup;

/// <summary>
/// Takes a pgBackRest backup of the stack's cluster: from a healthy standby when backup.fromStandby says so, with
/// progress on stderr. Retention (backup.retention) is applied by pgBackRest's expire right after.
/// </summary>
public sealed class BackupCommand(CliConsoles consoles) : AsyncCommand<BackupCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--type <TYPE>")]
        [Description("full, diff (changes since the last full) or incr (since the last backup).")]
        [DefaultValue("full")]
        public string Type { get; init; } = "full";

        [CommandOption("--json")]
        [Description("Print the new backup as JSON on stdout.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Type is not ("full" or "diff" or "incr") || !Enum.TryParse<BackupType>(settings.Type, ignoreCase: true, out var type))
        {
            throw new CliException($"--type = \"{settings.Type}\": not a backup type. Allowed: full, diff, incr", ExitCodes.InvalidInput);
        }

        await using var cluster = await settings.OpenForChangeAsync("backup", cancellationToken);
        BackupResult result;
        try
        {
            result = await LocalBackup.BackupAsync(cluster, type, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"backup failed: {e.Message}");
        }

        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                stack = cluster.Spec.Stack,
                stanza = cluster.Spec.Stanza,
                source = result.Source,
                reason = result.Reason,
                seconds = result.Elapsed.TotalSeconds,
                backup = BackupsView.Json(result.Backup),
            });
        }
        else
        {
            var b = result.Backup;
            consoles.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backup {b.Label} ({b.Type}) of stack {cluster.Spec.Stack} from {result.Source}: {BackupsView.Size(b.BackupSize)} copied, {BackupsView.Size(b.RepositorySize)} in the repository, WAL {b.WalStart} .. {b.WalStop}, {result.Elapsed.TotalSeconds:0.00} s"), Style.Plain);
        }

        return ExitCodes.Ok;
    }
}
