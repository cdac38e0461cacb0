using System.Diagnostics;
using PgHaInfra.Spec;
using YamlDotNet.RepresentationModel;

namespace PgHaInfra.Core.Tests.Lag;

/// <summary>docs/alerts.yml: valid for Prometheus (promtool, from Debian's prometheus package, which .ci/run installs) and in step with the default thresholds.</summary>
public class AlertRulesTests
{
    private static readonly string Docs = Path.Combine(Path.GetDirectoryName(StackFixtures.RepositoryStacks.Directory)!, "docs");

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool") { WorkingDirectory = Docs, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("promtool is not on PATH: install Debian's `prometheus` package (.ci/run does)");
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    [Fact]
    public async Task Promtool_accepts_the_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", "alerts.yml");
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 12 rules found", output);
    }

    [Fact]
    public async Task The_rules_fire_as_their_promtool_unit_tests_expect()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", "alerts.test.yml");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void The_rules_use_the_default_thresholds()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Docs, "alerts.yml"))));
        var expressions = ((YamlMappingNode)yaml.Documents[0].RootNode)["groups"].AllNodes.OfType<YamlMappingNode>()
            .Where(m => m.Children.ContainsKey("alert"))
            .ToDictionary(m => m["alert"].ToString(), m => m["expr"].ToString());
        var defaults = LagThresholds.Default;

        Assert.Equal($"pgha_replica_behind_primary_bytes > {defaults.WarningBytes.Bytes} and pgha_replica_behind_primary_bytes <= {defaults.CriticalBytes.Bytes}", expressions["PghaReplicaLagBytesWarning"]);
        Assert.Equal($"pgha_replica_behind_primary_bytes > {defaults.CriticalBytes.Bytes}", expressions["PghaReplicaLagBytesCritical"]);
        Assert.Equal($"pgha_replica_lag_seconds > {defaults.WarningTime.TotalSeconds} and pgha_replica_lag_seconds <= {defaults.CriticalTime.TotalSeconds}", expressions["PghaReplicaLagTimeWarning"]);
        Assert.Equal($"pgha_replica_lag_seconds > {defaults.CriticalTime.TotalSeconds}", expressions["PghaReplicaLagTimeCritical"]);
        Assert.Equal($"pgha_slot_retained_bytes > {defaults.CriticalBytes.Bytes}", expressions["PghaSlotRetainsWalCritical"]);
        Assert.Equal("pgha_replica_streaming == 0", expressions["PghaReplicaNotStreaming"]);
    }
}
