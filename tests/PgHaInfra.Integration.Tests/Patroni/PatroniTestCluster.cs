using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Patroni;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Integration.Tests.Patroni;

/// <summary>
/// A real Patroni cluster for a test: etcd, one supervised Patroni per node and HAProxy, started in-process through
/// the engine on free loopback ports, in a temporary directory the server user can reach. DisposeAsync runs
/// `down` and kills whatever still names the directory, also after a failure.
/// </summary>
public sealed partial class PatroniTestCluster : IAsyncDisposable
{
    private LocalCluster? cluster;

    private PatroniTestCluster(string root, string stack, string template, int[] ports)
    {
        Root = root;
        Stack = stack;
        Template = template;
        Ports = ports;
    }

    public string Root { get; }

    public string Stack { get; }

    public string Template { get; }

    public int[] Ports { get; }

    public string StacksDirectory => Path.Combine(Root, "stacks");

    public string StateDirectory => Path.Combine(Root, "state");

    public LocalCluster Cluster => cluster ?? throw new InvalidOperationException("not open");

    public ClusterSpec Spec => Cluster.StackSpec;

    public PatroniLayout Layout => new(Cluster.Layout);

    public PatroniUpResult? LastUp { get; private set; }

    public static async Task<PatroniTestCluster> StartAsync(string stack, string template)
    {
        var root = Path.Combine(Path.GetTempPath(), $"pgha-it-{stack}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var test = new PatroniTestCluster(root, stack, template, PortBlock.Allocate(10));
        try
        {
            Directory.CreateDirectory(test.StacksDirectory);
            await test.WriteStackAsync(template);
            await test.UpAsync();
            var report = await test.VerifyAsync();
            Assert.True(report.Passed, $"the new Patroni cluster {stack} did not verify:\n{report.Summary}");
            return test;
        }
        catch
        {
            await test.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rewrites the stack file (same ports) and reopens the cluster: how a test changes the spec.</summary>
    public async Task WriteStackAsync(string template)
    {
        var text = PortPlaceholder().Replace(template, m => Ports[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(Path.Combine(StacksDirectory, $"Pulumi.{Stack}.yaml"), text);
        await OpenAsync();
    }

    public async Task OpenAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        var spec = await StackLoader.LoadAsync(new StackCatalog(StacksDirectory), Stack, CancellationToken.None);
        cluster = await LocalCluster.OpenAsync(spec, new LocalEngineOptions(StateDirectory), CancellationToken.None);
    }

    public async Task<PatroniUpResult> UpAsync(bool allowRestart = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        LastUp = await PatroniEngine.UpAsync(Cluster, allowRestart, SilentProgress.Instance, timeout.Token);
        await OpenAsync();
        return LastUp;
    }

    public PatroniClient Client() => new(Spec, PatroniEngine.Host);

    public async Task<PatroniCluster> ViewAsync()
    {
        using var client = Client();
        return await client.ClusterAsync(CancellationToken.None) ?? throw new InvalidOperationException("no Patroni member answered");
    }

    /// <summary>Waits until every member runs with one leader and streaming replicas.</summary>
    public async Task<PatroniCluster> WaitHealthyAsync()
    {
        using var client = Client();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await PatroniEngine.WaitForMembersAsync(client, Spec, timeout.Token);
    }

    public async Task<ClusterCredentials> CredentialsAsync() =>
        await Cluster.CredentialsAsync(CancellationToken.None) ?? throw new InvalidOperationException("no credentials yet");

    /// <summary>The post-deploy check, judged by Patroni's leader and synchronous standbys (as `pgha verify` does).</summary>
    public async Task<VerificationReport> VerifyAsync()
    {
        var view = await WaitHealthyAsync();
        await using var access = new ClusterAccess(PatroniCheckSpec.For(Spec, view), Cluster.Addresses, await CredentialsAsync());
        return await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(30)), CancellationToken.None);
    }

    /// <summary>A superuser connection string to one node, with short timeouts for probes.</summary>
    public async Task<string> ConnectionStringAsync(string node) =>
        NodeWriteProbes.DirectConnectionString(Cluster.Addresses[node], await CredentialsAsync());

    public async Task<T> QueryAsync<T>(string node, string sql)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync(node));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The pid of the node's Patroni (the python process running its patroni.yml).</summary>
    public int PatroniPid(string node) => ProcFs.All().Single(p => p.CommandLine.Count >= 2 && p.CommandLine.Any(a => a.EndsWith("/patroni", StringComparison.Ordinal)) && p.CommandLine[^1] == Layout.ConfigFile(node)).Pid;

    public int SupervisorPid(string node) => int.Parse(File.ReadAllText(Layout.PidFile(node)).Trim(), CultureInfo.InvariantCulture);

    public int? PostmasterPid(string node) => PostmasterPidFile.Read(Cluster.Layout.DataDirectory(node)) is { ProcessAlive: true } pid ? pid.Pid : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (cluster is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await PatroniEngine.DownAsync(cluster, keepData: false, SilentProgress.Instance, timeout.Token);
                await cluster.DisposeAsync();
            }
        }
        catch (Exception e) when (e is LocalEngineException or OperationCanceledException or IOException)
        {
            // The kill below is the last line of teardown.
        }
        finally
        {
            LeftoverProcesses.KillUnder(Root);
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    [GeneratedRegex(@"\{PORT(\d+)\}")]
    private static partial Regex PortPlaceholder();
}
