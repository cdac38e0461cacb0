using System.Globalization;
using System.Text.RegularExpressions;
using PgHaInfra.Local;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Integration.Tests;

/// <summary>
/// A real local cluster for a test: a temporary stack file (from a template, with free ports), its own state
/// directory (reachable by the server user), and the engine run in-process. DisposeAsync tears everything down
/// even after a failure: servers stopped, leftover processes killed, directories removed. See README.md here.
/// </summary>
public sealed partial class TestCluster : IAsyncDisposable
{
    private LocalCluster? cluster;

    private TestCluster(string root, string stack, string template, int[] ports)
    {
        Root = root;
        Stack = stack;
        Template = template;
        Ports = ports;
    }

    /// <summary>The temporary directory holding stacks/ and state/.</summary>
    public string Root { get; }

    public string Stack { get; }

    /// <summary>The stack template, with {PORT0}, {PORT1}, ... placeholders.</summary>
    public string Template { get; private set; }

    /// <summary>The ports handed to this cluster: {PORTn} is Ports[n].</summary>
    public int[] Ports { get; }

    public string StacksDirectory => Path.Combine(Root, "stacks");

    public string StackFile => Path.Combine(StacksDirectory, $"Pulumi.{Stack}.yaml");

    public string StateDirectory => Path.Combine(Root, "state");

    public LocalCluster Cluster => cluster ?? throw new InvalidOperationException("the cluster is not open");

    /// <summary>The spec the engine acts on (stack file plus the recorded primary).</summary>
    public ClusterSpec Spec => Cluster.Spec;

    public StateLayout Layout => Cluster.Layout;

    public EngineState? State => Cluster.State;

    /// <summary>Superuser access to every node (pooled Npgsql data sources).</summary>
    public ClusterAccess Access => Cluster.AccessAsync(CancellationToken.None).GetAwaiter().GetResult()
        ?? throw new InvalidOperationException("the cluster has no credentials yet: call UpAsync first");

    /// <summary>The result of the last UpAsync.</summary>
    public UpResult? LastUp { get; private set; }

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(90);

    /// <summary>Writes the stack file from <paramref name="template"/> and, unless <paramref name="up"/> is false, brings it up and verifies it.</summary>
    /// <param name="portCount">How many ports to reserve (at least the template's highest {PORTn} + 1; reserve more to scale up later).</param>
    public static async Task<TestCluster> StartAsync(string stack, string template, int portCount = 0, bool up = true, CancellationToken cancellationToken = default)
    {
        var needed = Math.Max(portCount, PortPlaceholder().Matches(template).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max());
        var root = Path.Combine(Path.GetTempPath(), $"pgha-it-{stack}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var test = new TestCluster(root, stack, template, PortBlock.Allocate(Math.Max(needed, 1)));
        try
        {
            Directory.CreateDirectory(test.StacksDirectory);
            await test.WriteStackAsync(template, cancellationToken);
            if (up)
            {
                await test.UpAsync(cancellationToken: cancellationToken);
                var report = await test.VerifyAsync(cancellationToken: cancellationToken);
                Assert.True(report.Passed, $"the new cluster {stack} did not verify:\n{report.Summary}");
            }
            else
            {
                await test.OpenAsync(cancellationToken);
            }

            return test;
        }
        catch
        {
            await test.DisposeAsync();
            throw;
        }
    }

    /// <summary>A repository stack (stacks/Pulumi.&lt;stack&gt;.yaml) with its ports moved into the test range.</summary>
    public static async Task<TestCluster> FromRepositoryStackAsync(string stack, bool up = true, CancellationToken cancellationToken = default)
    {
        var catalog = StackCatalog.Discover(AppContext.BaseDirectory);
        var text = await File.ReadAllTextAsync(catalog.PathOf(stack), cancellationToken);
        var index = 0;
        var template = PortLine().Replace(text, m => $"{m.Groups[1].Value}{{PORT{index++}}}");
        return await StartAsync($"it-{stack}", template, up: up, cancellationToken: cancellationToken);
    }

    /// <summary>Rewrites the stack file (same placeholders) and reopens the cluster: how a test changes the spec.</summary>
    public async Task WriteStackAsync(string template, CancellationToken cancellationToken = default)
    {
        Template = template;
        var text = PortPlaceholder().Replace(template, m => Ports[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(StackFile, text, cancellationToken);
        await OpenAsync(cancellationToken);
    }

    /// <summary>Loads the stack file and opens the engine's view of it (state, spec, access).</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        var spec = await StackLoader.LoadAsync(new StackCatalog(StacksDirectory), Stack, cancellationToken);
        cluster = await LocalCluster.OpenAsync(spec, new LocalEngineOptions(StateDirectory), cancellationToken);
    }

    /// <summary>Runs the engine's `up` in-process (bounded by <see cref="DefaultTimeout"/>).</summary>
    public async Task<UpResult> UpAsync(bool allowRestart = false, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        LastUp = await LocalEngine.UpAsync(Cluster, allowRestart, SilentProgress.Instance, timeout.Token);
        return LastUp;
    }

    public async Task<LocalPlan> PlanAsync(bool allowRestart = false, CancellationToken cancellationToken = default) =>
        await LocalEngine.PlanAsync(Cluster, allowRestart, cancellationToken);

    /// <summary>The post-deploy check (the same code as `pgha verify`).</summary>
    public Task<VerificationReport> VerifyAsync(TimeSpan? deadline = null, bool writeCanary = true, CancellationToken cancellationToken = default) =>
        StreamingCheck.RunAsync(Access, new StreamingCheckOptions(deadline ?? TimeSpan.FromSeconds(20), writeCanary), cancellationToken);

    public string DataDirectory(string node) => Layout.DataDirectory(node);

    public async Task StopNodeAsync(string node, StopMode mode = StopMode.Fast, CancellationToken cancellationToken = default)
    {
        var binaries = await Cluster.BinariesAsync(cancellationToken);
        await StartStop.StopAsync(binaries, Cluster.Runner, DataDirectory(node), mode, TimeSpan.FromSeconds(30), cancellationToken);
        Access.DataSource(node).Clear();
    }

    public async Task StartNodeAsync(string node, CancellationToken cancellationToken = default)
    {
        var binaries = await Cluster.BinariesAsync(cancellationToken);
        await StartStop.StartAsync(binaries, Cluster.Runner, DataDirectory(node), Layout.LogFile(node), TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>One scalar from a node, as the superuser.</summary>
    public async Task<T> QueryAsync<T>(string node, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = Access.DataSource(node).CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Waits (polling every 20 ms) until <paramref name="condition"/> holds, or fails the test after <paramref name="deadline"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Npgsql.NpgsqlException) when (DateTime.UtcNow < until)
            {
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"not within {deadline.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (cluster is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await LocalEngine.DownAsync(cluster, keepData: false, SilentProgress.Instance, timeout.Token);
                await cluster.DisposeAsync();
            }
        }
        catch (Exception e) when (e is LocalEngineException or IOException or OperationCanceledException)
        {
            // Fall through to the hard cleanup below.
        }
        finally
        {
            LeftoverProcesses.KillUnder(Root);
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"\{PORT(\d+)\}")]
    private static partial Regex PortPlaceholder();

    [GeneratedRegex(@"(\bport:\s*)\d+")]
    private static partial Regex PortLine();
}
