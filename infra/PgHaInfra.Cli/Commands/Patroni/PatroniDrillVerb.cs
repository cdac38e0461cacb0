using System.Globalization;
using System.Text.Json;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Verification;

namespace PgHaInfra.Cli.Commands.Patroni;

/// <summary>`pgha drill --kind node-loss|manager-loss|manager-freeze` in patroni mode; exit 0 only with no split brain, a verified cluster and, in synchronous mode, no lost commit (an asynchronous stack's loss is reported as its RPO).</summary>
internal static class PatroniDrillVerb
{
    public static async Task<int> RunAsync(CliConsoles consoles, LocalCluster cluster, string kindText, string? outDirectory, bool json, CancellationToken cancellationToken)
    {
        var kind = kindText switch
        {
            "node-loss" => PatroniDrillKind.NodeLoss,
            "manager-loss" => PatroniDrillKind.ManagerLoss,
            "manager-freeze" => PatroniDrillKind.ManagerFreeze,
            _ => throw new CliException($"--kind = \"{kindText}\": unknown drill for a stack in patroni mode. Allowed: node-loss, manager-loss, manager-freeze", ExitCodes.InvalidInput),
        };
        consoles.ErrorLine($"drill {kindText} on stack {cluster.StackSpec.Stack}: continuous writes, then the fault");
        PatroniDrillReport report;
        try
        {
            report = await PatroniDrill.RunAsync(cluster, kind, async ct =>
            {
                var (result, _) = await PatroniVerbs.VerifyAsync(cluster, new StreamingCheckOptions(TimeSpan.FromSeconds(30)), ct);
                return (result.Passed, result.Summary);
            }, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"drill failed: {e.Message}");
        }

        var text = JsonSerializer.Serialize(report, Views.Json);
        if (outDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "report.json"), text + "\n", cancellationToken);
        }

        if (json)
        {
            consoles.Out.Profile.Out.Writer.Write(text + "\n");
        }
        else
        {
            string S(double? s) => s is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "-";
            var w = consoles.Out.Profile.Out.Writer;
            w.Write($"drill {report.Kind}: {report.OldLeader} -> {report.NewLeader}\n");
            w.Write($"  RTO (kill -> first write on {report.NewLeader} through the write endpoint): {S(report.Rto)}\n");
            w.Write($"  old leader's last acknowledged write after the kill: {S(report.OldLastWrite)}; first write on the new leader: {S(report.NewFirstWrite)}\n");
            w.Write($"  split-brain window: {S(report.SplitBrainWindow)}\n");
            w.Write($"  RPO ({(report.Synchronous ? "synchronous mode" : "asynchronous replication")}): {report.Lost} of {report.Acknowledged} acknowledged commits lost; " +
                    $"{(report.LostBytes is { } bytes ? $"{bytes} bytes of acknowledged WAL beyond the new timeline's start ({report.OldLastLsn} -> {report.SwitchLsn})" : "WAL distance not measured")}\n");
            w.Write($"  rejoin of {report.OldLeader}: {(report.RejoinSeconds is null ? "NOT rejoined" : $"as a replica {S(report.RejoinSeconds)} after the kill")}\n");
            w.Write("  Patroni's election, from the new leader's log:\n");
            foreach (var line in report.Chosen)
            {
                w.Write($"    {line}\n");
            }

            w.Write($"  post-deploy check: {report.VerifySummary}\n");
        }

        consoles.ErrorLine(report.Passed ? $"drill {report.Kind}: passed" : $"pgha: drill {report.Kind} failed: lost {report.Lost}, split-brain window {report.SplitBrainWindow:0.00} s, verified {report.Verified}");
        return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
