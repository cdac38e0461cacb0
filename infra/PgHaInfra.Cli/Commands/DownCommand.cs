using System.ComponentModel;
using PgHaInfra.Local;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>Stops every server of the stack's local cluster and removes it; --keep-data keeps the data directories.</summary>
public sealed class DownCommand(CliConsoles consoles) : AsyncCommand<DownCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--keep-data")]
        [Description("Stop the servers but keep the state directory (data, secrets); a later `up` starts them again.")]
        public bool KeepData { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The lock before anything is read; it lives beside the state directory, so removing that directory keeps it.
        await using var cluster = await settings.OpenForChangeAsync("down", cancellationToken);
        if (!cluster.Layout.Exists && !Directory.Exists(cluster.Layout.Root))
        {
            consoles.Error.WriteLine($"down: stack {cluster.Spec.Stack} has no local cluster in {cluster.Layout.Root}; nothing to do", Style.Plain);
            return ExitCodes.Ok;
        }

        if (cluster.StackSpec.Failover.IsPatroni)
        {
            return await Patroni.PatroniVerbs.DownAsync(consoles, cluster, settings.KeepData, cancellationToken);
        }

        try
        {
            await LocalEngine.DownAsync(cluster, settings.KeepData, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"down failed: {e.Message}");
        }

        consoles.Error.WriteLine(settings.KeepData
            ? $"down: stack {cluster.Spec.Stack} stopped; data kept in {cluster.Layout.Root}"
            : $"down: stack {cluster.Spec.Stack} stopped and removed ({cluster.Layout.Root})", Style.Plain);
        return ExitCodes.Ok;
    }
}
