using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PgHaInfra.Operations.Backup;
using PgHaInfra.Rendering;

namespace PgHaInfra.Local.Backup;

/// <summary>What one backup did: its entry in the repository, where it copied from and why, and how long it took.</summary>
public sealed record BackupResult(BackupEntry Backup, string Source, string Reason, TimeSpan Elapsed);

/// <summary>
/// `pgha backup` and `pgha backups` on the local engine: pgBackRest's backup (from a healthy standby when the stack
/// says so, with pg1 the primary and pg2 that standby), then its info.
/// </summary>
public static partial class LocalBackup
{
    public static async Task<BackupResult> BackupAsync(LocalCluster cluster, BackupType type, IEngineProgress progress, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        var backup = spec.Backup ?? throw NoBackupKeys(cluster);
        var access = await cluster.RequireAccessAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();

        string source = spec.Primary, reason = $"copied from the primary {spec.Primary}: backup.fromStandby is false";
        Rendering.PgBackRestPaths runner = cluster.Placement.Backup!.Runner;
        Spec.NodeSpec? standby = null;
        if (backup.FromStandby)
        {
            var decision = StandbyChoice.Choose(spec, await StandbyChoice.ProbeAsync(spec, access, cancellationToken).ConfigureAwait(false));
            standby = decision.Standby ?? throw new LocalEngineException($"backup of stack {spec.Stack} refused: {decision.Reason} (backup.fromStandby is true)");
            (source, reason) = (standby.Name, decision.Reason);
        }

        progress.Report(new EngineStep(source, $"backup ({Name(type)})", null, reason));
        await StanzaSetup.InstallAsync(cluster, cancellationToken).ConfigureAwait(false);
        await cluster.User.WriteFileAsync(runner.ConfigFile, PgBackRestConf.ForBackup(spec, cluster.Placement, standby),
            UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);

        var reported = -10.0;
        void OnLine(string line)
        {
            // "P01 DETAIL: backup file /…/base/5/1259 (112KB, 12.34%) checksum …": report every tenth of the way.
            if (Percent().Match(line) is { Success: true } match
                && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
                && percent >= reported + 10)
            {
                reported = Math.Floor(percent / 10) * 10;
                progress.Report(new EngineStep(source, "copy", clock.Elapsed, $"{reported:0}% of the files"));
            }
        }

        await PgBackRest.For(cluster).RunAsync(runner.ConfigFile, "backup",
            [$"--type={Name(type)}", "--log-level-console=detail"], cancellationToken, OnLine).ConfigureAwait(false);
        var catalog = await InfoAsync(cluster, cancellationToken).ConfigureAwait(false);
        var made = catalog.Latest ?? throw new LocalEngineException($"pgbackrest backup of stanza {spec.Stanza} succeeded, yet info lists no backup");
        progress.Report(new EngineStep(source, $"backup ({Name(type)})", clock.Elapsed, $"{made.Label}: {reason}"));
        return new BackupResult(made, source, reason, clock.Elapsed);
    }

    /// <summary>The stanza's backups and archive range (`pgbackrest info --output=json`).</summary>
    public static async Task<BackupCatalog> InfoAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var spec = cluster.Spec;
        _ = spec.Backup ?? throw NoBackupKeys(cluster);
        var result = await PgBackRest.For(cluster).RunAsync(PgBackRest.RunnerConfig(cluster.Placement), "info",
            ["--output=json", "--log-level-console=warn"], cancellationToken).ConfigureAwait(false);
        return BackupCatalog.Parse(result.StandardOutput, spec.Stanza);
    }

    public static string Name(BackupType type) => type.ToString().ToLowerInvariant();

    private static LocalEngineException NoBackupKeys(LocalCluster cluster) =>
        new($"stack {cluster.Spec.Stack} sets no backup keys: add pg-ha-infra:backup (repository.path at least) and run `pgha up`");

    [GeneratedRegex(@", (\d+(?:\.\d+)?)%\)")]
    private static partial Regex Percent();
}
