using System.Globalization;
using System.Text.Json;
using PgHaInfra.Cli;
using Spectre.Console.Testing;
using Xunit.Abstractions;

namespace PgHaInfra.Docker.Tests.Operations;

/// <summary>
/// `pgha VERB --engine docker` against a deployed stack, in-process: the containers are found by label, the
/// credentials come from them (no password is typed, none is printed), and a switchover moves the primary, prints the
/// `pulumi config set` line, and is read back by the next command.
/// </summary>
public sealed class DockerCliTests(ITestOutputHelper output)
{
    [DockerFact]
    [Trait("Category", "DockerOps")]
    public async Task Status_lag_verify_switchover_failover_rejoin_and_drill_work_with_engine_docker_and_print_no_secret()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        var spec = await OpsStacks.LoadAsync("opscli", ct);
        await using var deployed = await DeployedCluster.DeployAsync(spec, ct);
        var stacks = Directory.CreateTempSubdirectory("ops-stacks-");
        var state = Directory.CreateTempSubdirectory("ops-state-");
        try
        {
            // The stack file as this machine deployed it (its ports); the image is the containers' own.
            var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "OpsStacks", "Pulumi.opscli.yaml"), ct);
            for (var i = 0; i < spec.Nodes.Length; i++)
            {
                text = text.Replace($"port: {15432 + i}", $"port: {spec.Nodes[i].Port.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
            }

            await File.WriteAllTextAsync(Path.Combine(stacks.FullName, "Pulumi.opscli.yaml"), text, ct);
            string[] common = ["--stack", "opscli", "--stacks-dir", stacks.FullName, "--state-dir", state.FullName, "--engine", "docker"];
            var secret = deployed.Secrets.SuperuserPassword;

            var status = await RunAsync(["status", .. common, "--json"]);
            Assert.True(status.ExitCode == 0, status.ToString());
            using (var json = JsonDocument.Parse(status.Out))
            {
                Assert.Equal("pg-1", json.RootElement.GetProperty("primary").GetString());
                Assert.Equal("docker", json.RootElement.GetProperty("engine").GetString());
                Assert.Equal(new[] { "primary", "replica" }, json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("role").GetString() ?? "").ToArray());
            }

            var lag = await RunAsync(["lag", .. common]);
            Assert.True(lag.ExitCode == 0, lag.ToString());
            var verify = await RunAsync(["verify", .. common]);
            Assert.True(verify.ExitCode == 0, verify.ToString());

            var bad = await RunAsync(["switchover", .. common, "--to", "pg-9"]);
            Assert.Equal(ExitCodes.InvalidInput, bad.ExitCode);
            Assert.Contains("--to = \"pg-9\"", bad.Error, StringComparison.Ordinal);

            var switched = await RunAsync(["switchover", .. common, "--to", "pg-2"]);
            Assert.True(switched.ExitCode == 0, switched.ToString());
            Assert.Contains("pulumi config set pg-ha-infra:primary pg-2 --stack opscli", switched.Error, StringComparison.Ordinal);

            // The next command reads the recorded primary back.
            var after = await RunAsync(["docker", "status", .. common[..^2]]);
            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.Contains("pulumi config set pg-ha-infra:primary pg-2", after.Error, StringComparison.Ordinal);
            // A lost host: the primary's container killed; failover to the other node, then the old one rejoins.
            await DockerCli.RunAsync(["kill", deployed.Deployment.Container("pg-2").Name], ct);
            var failed = await RunAsync(["failover", .. common]);
            Assert.True(failed.ExitCode == 0, failed.ToString());
            Assert.Contains("failover: pg-2 -> pg-1", failed.Out, StringComparison.Ordinal);
            var rejoined = await RunAsync(["rejoin", .. common, "--node", "pg-2"]);
            Assert.True(rejoined.ExitCode == 0, rejoined.ToString());
            Assert.Contains("verify: all", rejoined.Error, StringComparison.Ordinal);
            var last = await RunAsync(["status", .. common, "--json"]);
            using (var json = JsonDocument.Parse(last.Out))
            {
                Assert.Equal("pg-1", json.RootElement.GetProperty("primary").GetString());
                Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("pulumiConfig").ValueKind);
                Assert.Equal(new[] { "primary", "replica" }, json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("role").GetString() ?? "").ToArray());
            }

            // The failover drill on Docker: docker kill of the primary's container under continuous writes, report files.
            var reports = Path.Combine(state.FullName, "drill");
            var drill = await RunAsync(["drill", .. common, "--kind", "failover", "--out", reports]);
            // The stack is asynchronous: a kill may lose the last acknowledged commit, which the drill must then report
            // (and fail on); anything else must pass.
            Assert.True(drill.ExitCode == 0 || drill.Error.Contains("acknowledged commit(s) missing", StringComparison.Ordinal), drill.ToString());
            Assert.Contains("docker kill of container", drill.Error, StringComparison.Ordinal);
            Assert.All(new[] { "report.md", "report.json", "timeline.svg" }, f => Assert.True(File.Exists(Path.Combine(reports, f)), f));
            output.WriteLine(drill.ToString());

            foreach (var run in new[] { status, lag, verify, bad, switched, after, failed, rejoined, last, drill })
            {
                Assert.DoesNotContain(secret, run.Out + run.Error, StringComparison.Ordinal);
            }

            output.WriteLine(switched.ToString());
        }
        finally
        {
            stacks.Delete(recursive: true);
            state.Delete(recursive: true);
        }
    }

    private sealed record Run(int ExitCode, string Out, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
    }

    private static async Task<Run> RunAsync(string[] args)
    {
        using var stdout = new TestConsole();
        using var stderr = new TestConsole();
        stdout.Profile.Width = 200;
        stderr.Profile.Width = 200;
        var code = await PghaApp.RunAsync(new CliConsoles(stdout, stderr), args, CancellationToken.None);
        return new Run(code, stdout.Output, stderr.Output);
    }
}
