using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using PgHaInfra.Examples.ReadWrite;
using PgHaInfra.Local;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Stack;

// Commit latency of the example's write (PlaceOrderAsync) with synchronous_commit = on against remote_apply on a sync
// stack (FIRST 1 (pg-2, pg-3), pg-4 async), interleaved write by write in one run, with `local` as the floor; how
// often a read on the synchronous standby right after the write missed it; and the read spread of the example's
// prefer-standby reads over the replicas (and the same reads on the write endpoint).
// Usage: dotnet run -c Release --project bench/apps -- [--iterations N] [--reads N] [--port-base P] [--results FILE]
var iterations = Option("--iterations", 500);
var readCount = Option("--reads", 1200);
var portBase = Option("--port-base", 30400);
var resultsFile = args.SkipWhile(a => a != "--results").Skip(1).FirstOrDefault();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
var ct = timeout.Token;

var root = Path.Combine(Path.GetTempPath(), $"pgha-bench-apps-{Guid.NewGuid():N}"[..32]);
Directory.CreateDirectory(Path.Combine(root, "stacks"));
File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
await File.WriteAllTextAsync(Path.Combine(root, "stacks", "Pulumi.benchapps.yaml"), $"""
    config:
      pg-ha-infra:topology: sync
      pg-ha-infra:nodes:
        - name: pg-1
          port: {portBase}
        - name: pg-2
          port: {portBase + 1}
        - name: pg-3
          port: {portBase + 2}
        - name: pg-4
          port: {portBase + 3}
      pg-ha-infra:synchronous:
        method: first
        count: 1
        standbys: [pg-2, pg-3]
        commit: remote_apply
    """, ct);
var spec = await StackLoader.LoadAsync(new StackCatalog(Path.Combine(root, "stacks")), "benchapps", ct);
var cluster = await LocalCluster.OpenAsync(spec, new LocalEngineOptions(Path.Combine(root, "state")), ct);
string report;
try
{
    await LocalEngine.UpAsync(cluster, allowRestart: false, SilentProgress.Instance, ct);
    var credentials = (await cluster.CredentialsAsync(ct))!;
    await using var access = new ClusterAccess(cluster.Spec, cluster.Addresses, credentials);
    var printed = ClusterEndpoints.For(cluster.Spec, cluster.Addresses, credentials.Superuser);
    var endpoints = new AppEndpoints(printed.Write, printed.Read);
    report = await MeasureAsync(access, endpoints, credentials.SuperuserPassword);
}
finally
{
    try
    {
        await LocalEngine.DownAsync(cluster, keepData: false, SilentProgress.Instance, CancellationToken.None);
    }
    finally
    {
        await cluster.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }
}

Console.WriteLine(report);
if (resultsFile is not null)
{
    await File.WriteAllTextAsync(resultsFile, report, CancellationToken.None);
}

return 0;

async Task<string> MeasureAsync(ClusterAccess access, AppEndpoints endpoints, string password)
{
    // One example data source per level; the stack's default is remote_apply, the others set theirs per session.
    var levels = new[] { "on", "remote_apply", "local" };
    var databases = new Dictionary<string, RoutedDatabase>();
    foreach (var level in levels)
    {
        var read = new NpgsqlConnectionStringBuilder(endpoints.Read) { Options = $"-c synchronous_commit={level}" }.ConnectionString;
        databases[level] = RoutedDatabase.Open(endpoints with { Read = read }, password);
    }

    // FIRST 1 (pg-2, pg-3): pg-3 stands in as sync until pg-2 streams; measure only once pg-2 holds the role.
    const string standbyName = "pg-2";
    var waited = Stopwatch.StartNew();
    while (await Scalar<long>(access.DataSource("pg-1"), $"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{standbyName}' AND sync_state = 'sync'") == 0)
    {
        if (waited.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new InvalidOperationException($"{standbyName} did not become the synchronous standby within 30 s");
        }

        await Task.Delay(20, ct);
    }

    await using var standby = RoutedDatabase.OpenNode(endpoints, $"{access.AddressOf(standbyName).Host}:{access.AddressOf(standbyName).Port}", password);
    try
    {
        var stores = databases.ToDictionary(p => p.Key, p => new OrderStore(p.Value));
        await stores["on"].CreateSchemaAsync(ct);
        var latencies = levels.ToDictionary(l => l, _ => new List<double>());
        var misses = levels.ToDictionary(l => l, _ => 0);
        for (var i = -50; i < iterations; i++)
        {
            // Interleaved, in a rotating order, so every level sees the same machine; the first 50 warm up.
            foreach (var level in levels.Skip(i & 1).Concat(levels.Take(i & 1)))
            {
                var clock = Stopwatch.StartNew();
                var written = await stores[level].PlaceOrderAsync(Guid.NewGuid(), level, 1, ct);
                var ms = clock.Elapsed.TotalMilliseconds;
                var seen = (await OrderStore.GetOrderOnAsync(standby, written.Key, ct)).Found;
                if (i >= 0)
                {
                    latencies[level].Add(ms);
                    misses[level] += seen ? 0 : 1;
                }
            }
        }

        var readSpread = await SpreadAsync(stores["on"], (s, k) => s.GetOrderAsync(k, ct));
        var writeSpread = await SpreadAsync(stores["on"], (s, k) => s.GetOrderFreshAsync(k, ct));
        // What trusting no cached host role costs (Host Recheck Seconds = 0 follows a promotion soonest).
        await using var noCache = RoutedDatabase.Open(endpoints, password, RoutingOptions.Default with { HostRecheckSeconds = 0 });
        var noCacheSpread = await SpreadAsync(new OrderStore(noCache), (s, k) => s.GetOrderAsync(k, ct));
        return Report(latencies, misses, standbyName, [("read pool (prefer-standby, load-balanced)", readSpread),
            ("read pool, Host Recheck Seconds = 0", noCacheSpread), ("write pool (read-write)", writeSpread)]);
    }
    finally
    {
        foreach (var database in databases.Values)
        {
            await database.DisposeAsync();
        }
    }
}

async Task<(Dictionary<string, int> PerNode, List<double> Ms)> SpreadAsync(OrderStore store, Func<OrderStore, Guid, Task<(bool Found, string Node)>> read)
{
    var key = (await store.PlaceOrderAsync(Guid.NewGuid(), "spread", 1, ct)).Key;
    var perNode = new Dictionary<string, int>(StringComparer.Ordinal);
    var ms = new List<double>();
    for (var i = 0; i < readCount; i++)
    {
        var clock = Stopwatch.StartNew();
        var (_, node) = await read(store, key);
        ms.Add(clock.Elapsed.TotalMilliseconds);
        perNode[node] = perNode.GetValueOrDefault(node) + 1;
    }

    return (perNode, ms);
}

async Task<T> Scalar<T>(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    return (T)(await command.ExecuteScalarAsync(ct))!;
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    if (sorted.Length == 0)
    {
        return double.NaN;
    }

    var rank = p * (sorted.Length - 1);
    var low = (int)Math.Floor(rank);
    var high = (int)Math.Ceiling(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

string Report(Dictionary<string, List<double>> latencies, Dictionary<string, int> misses, string standby,
    (string Label, (Dictionary<string, int> PerNode, List<double> Ms) Reads)[] spreads)
{
    var text = new StringBuilder();
    var baseline = Percentile(latencies["on"], 0.5);
    text.AppendLine(CultureInfo.InvariantCulture, $"Commit latency of the example's write (one INSERT, autocommit), {iterations} per level, interleaved; sync stack FIRST 1 (pg-2, pg-3), sync standby {standby}:")
        .AppendLine()
        .AppendLine("| synchronous_commit | median ms | p95 ms | min | max | median ratio to `on` | read on the sync standby right after missed it |")
        .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var (level, values) in latencies)
    {
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {level} | {Percentile(values, 0.5):0.000} | {Percentile(values, 0.95):0.000} | {values.Min():0.000} | {values.Max():0.000} | {Percentile(values, 0.5) / baseline:0.00}x | {misses[level]} of {values.Count} ({100.0 * misses[level] / values.Count:0.0}%) |");
    }

    text.AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"Read spread, {readCount} sequential reads of one order through the example (pooled):")
        .AppendLine()
        .AppendLine("| reads through | " + string.Join(" | ", spec.Nodes.Select(n => n.Name)) + " | median ms | p95 ms |")
        .AppendLine("| --- | " + string.Join(" | ", spec.Nodes.Select(_ => "---:")) + " | ---: | ---: |");
    foreach (var (label, (perNode, ms)) in spreads)
    {
        var counts = string.Join(" | ", spec.Nodes.Select(n => perNode.GetValueOrDefault(n.Name).ToString(CultureInfo.InvariantCulture)));
        text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {counts} | {Percentile(ms, 0.5):0.000} | {Percentile(ms, 0.95):0.000} |");
    }

    return text.ToString();
}
