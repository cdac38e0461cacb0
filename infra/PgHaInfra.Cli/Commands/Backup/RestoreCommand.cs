using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Local.Backup;
using PgHaInfra.Operations.Backup;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Stack;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Backup;

/// <summary>
/// Point-in-time restore. `--into NEWSTACK` restores into a new cluster described by NEWSTACK's stack file (another
/// cluster name, other ports), makes its replicas with `up`, and passes the streaming check. `--in-place` restores the
/// stack's own cluster, only while it is stopped.
/// </summary>
public sealed class RestoreCommand(CliConsoles consoles) : AsyncCommand<RestoreCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--to <TARGET>")]
        [Description("latest (the end of the archive), a time (ISO 8601, UTC unless it has an offset) or an LSN (0/3000148).")]
        public string? To { get; init; }

        [CommandOption("--into <NEWSTACK>")]
        [Description("The stack to restore into: its own stack file, cluster name and ports; its state directory must be empty.")]
        public string? Into { get; init; }

        [CommandOption("--into-state-dir <DIR>")]
        [Description("NEWSTACK's state directory. Default: PGHA_STATE_DIR/<NEWSTACK>, as for every stack.")]
        public string? IntoStateDirectory { get; init; }

        [CommandOption("--in-place")]
        [Description("Restore the stack's own cluster instead (it must be stopped); its replicas are made again.")]
        public bool InPlace { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON on stdout.")]
        public bool Json { get; init; }

        [CommandOption("--verify-deadline <SECONDS>")]
        [Description("How long the streaming check of the restored cluster may wait.")]
        [DefaultValue(60)]
        public int VerifyDeadlineSeconds { get; init; } = 60;

        public override ValidationResult Validate() =>
            To is null ? ValidationResult.Error("--to is required: " + RestoreTarget.Allowed)
            : !RestoreTarget.TryParse(To, out _) ? ValidationResult.Error($"--to = \"{To}\": not a restore target. Allowed: {RestoreTarget.Allowed}")
            : (Into is null) == !InPlace ? ValidationResult.Error("give exactly one of --into NEWSTACK (a new cluster) and --in-place (this stack's own, stopped)")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!RestoreTarget.TryParse(settings.To!, out var to))
        {
            throw new CliException($"--to = \"{settings.To}\": not a restore target. Allowed: {RestoreTarget.Allowed}", ExitCodes.InvalidInput);
        }

        await using var source = await settings.OpenForChangeAsync("restore", cancellationToken);
        var progress = new ProgressPrinter(consoles.Error);
        LocalCluster target;
        if (settings.InPlace)
        {
            target = source;
        }
        else
        {
            var spec = await StackLoader.LoadAsync(settings.Catalog(), settings.Into!, cancellationToken);
            target = await LocalCluster.OpenForChangeAsync(spec, new LocalEngineOptions(settings.IntoStateDirectory, settings.PostgresBinDirectory), "restore", cancellationToken);
        }

        try
        {
            consoles.ErrorLine($"restore stack {source.Spec.Stack} (stanza {source.Spec.Stanza}) to {to} into {(settings.InPlace ? "itself, in place" : $"stack {target.Spec.Stack}")}");
            RestoreResult result;
            try
            {
                result = settings.InPlace
                    ? await LocalRestore.InPlaceAsync(source, to, progress, cancellationToken)
                    : await LocalRestore.IntoNewClusterAsync(source, target, to, progress, cancellationToken);
                var upClock = Stopwatch.StartNew();
                await LocalEngine.UpAsync(target, allowRestart: false, progress, cancellationToken);
                progress.Report(new EngineStep(result.Node, "up", upClock.Elapsed, $"stack {target.Spec.Stack}: its replicas, roles and slots"));
            }
            catch (LocalEngineException e)
            {
                throw new CliException($"restore failed: {e.Message}");
            }

            var checkClock = Stopwatch.StartNew();
            var report = await StreamingCheck.RunAsync(await target.RequireAccessAsync(cancellationToken), new StreamingCheckOptions(TimeSpan.FromSeconds(settings.VerifyDeadlineSeconds)), cancellationToken);
            progress.Report(new EngineStep(result.Node, "streaming check", checkClock.Elapsed, report.Passed ? "passed" : "failed"));
            if (settings.Json)
            {
                Views.WriteJson(consoles.Out, new
                {
                    stack = source.Spec.Stack,
                    into = target.Spec.Stack,
                    target = to.ToString(),
                    node = result.Node,
                    timeline = result.Timeline,
                    endLsn = result.EndLsn,
                    copySeconds = result.CopyElapsed.TotalSeconds,
                    recoverySeconds = result.RecoveryElapsed.TotalSeconds,
                    restoreSeconds = result.Elapsed.TotalSeconds,
                    verification = Views.VerificationJson(report),
                });
            }
            else
            {
                consoles.Out.Write(Views.Verification(report));
                consoles.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"restored {result.Node} of stack {target.Spec.Stack} to {to}: timeline {result.Timeline}, ended at {result.EndLsn}; copy {result.CopyElapsed.TotalSeconds:0.00} s, recovery {result.RecoveryElapsed.TotalSeconds:0.00} s"), Style.Plain);
            }

            if (!report.Passed)
            {
                consoles.ErrorLine($"pgha: restore: the restored cluster failed the streaming check:\n{report.Summary}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }
        finally
        {
            if (!settings.InPlace)
            {
                await target.DisposeAsync();
            }
        }
    }
}
