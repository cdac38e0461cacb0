using System.Text.Json;

namespace PgHaInfra.Integration.Tests;

/// <summary>The built pgha, as a process: up, status --json (the documented schema), verify, down leaves nothing running.</summary>
public sealed class CliProcessTests
{
    [Fact]
    public async Task Up_status_json_verify_and_down_as_a_process()
    {
        await using var cluster = await TestCluster.StartAsync("it-cli", StackTemplates.Async(1), up: false);
        var timeout = TimeSpan.FromSeconds(90);

        var up = await PghaProcess.RunAsync(cluster, timeout, "up");
        Assert.True(up.ExitCode == 0, $"up exited {up.ExitCode}:\n{up.Stderr}\n{up.Stdout}");
        Assert.Contains("pg_basebackup", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("target_session_attrs=read-write", up.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain((await cluster.Cluster.CredentialsAsync(CancellationToken.None))!.SuperuserPassword, up.Stdout + up.Stderr, StringComparison.Ordinal);

        var again = await PghaProcess.RunAsync(cluster, timeout, "up", "--json");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("no changes", again.Stderr, StringComparison.Ordinal);
        using (var againJson = JsonDocument.Parse(again.Stdout))
        {
            Assert.False(againJson.RootElement.GetProperty("changed").GetBoolean());
            Assert.Empty(againJson.RootElement.GetProperty("steps").EnumerateArray());
            Assert.True(againJson.RootElement.GetProperty("verification").GetProperty("passed").GetBoolean());
            Assert.InRange(againJson.RootElement.GetProperty("checkSeconds").GetDouble(), 0.001, againJson.RootElement.GetProperty("seconds").GetDouble());
        }

        var status = await PghaProcess.RunAsync(cluster, timeout, "status", "--json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var json = JsonDocument.Parse(status.Stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Contains("Target Session Attributes=read-write", root.GetProperty("writeEndpoint").GetString(), StringComparison.Ordinal);
        Assert.Contains("prefer-standby", root.GetProperty("readEndpoint").GetString(), StringComparison.Ordinal);
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count);
        Assert.Equal("primary", nodes[0].GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, nodes[0].GetProperty("upstream").ValueKind);
        Assert.Equal("replica", nodes[1].GetProperty("role").GetString());
        Assert.Equal("pg-1", nodes[1].GetProperty("upstream").GetString());
        Assert.Equal("127.0.0.1", nodes[1].GetProperty("host").GetString());
        Assert.Equal(cluster.Ports[1], nodes[1].GetProperty("port").GetInt32());
        Assert.Equal(cluster.DataDirectory("pg-2"), nodes[1].GetProperty("dataDirectory").GetString());

        var verify = await PghaProcess.RunAsync(cluster, timeout, "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.True(JsonDocument.Parse(verify.Stdout).RootElement.GetProperty("passed").GetBoolean());

        var down = await PghaProcess.RunAsync(cluster, timeout, "down");
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Empty(LeftoverProcesses.Under(cluster.Root));
        Assert.False(Directory.Exists(cluster.StateDirectory));
    }

    [Fact]
    public async Task Verify_exits_1_naming_the_stopped_replica()
    {
        await using var cluster = await TestCluster.StartAsync("it-cli-fail", StackTemplates.Async(1));
        await cluster.StopNodeAsync("pg-2");

        var verify = await PghaProcess.RunAsync(cluster, TimeSpan.FromSeconds(60), "verify", "--deadline", "5");

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("pg-2: replication: saw no walsender", verify.Stderr, StringComparison.Ordinal);
    }
}
