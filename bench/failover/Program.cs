using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using PgHaInfra.Bench.Failover;
using PgHaInfra.Local;
using PgHaInfra.Local.Failover;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

// Switchover RTO (old primary refusing writes -> new primary accepting) and failover RTO (promote decision -> first
// accepted write) of pgha against a hand-written baseline, alternating on one real 3-node cluster in the same run.
// Usage: dotnet run -c Release --project bench/failover -- [--runs N] [--port-base P] [--results FILE]
var runs = Option("--runs", 5);
var portBase = Option("--port-base", 30100);
var resultsFile = args.SkipWhile(a => a != "--results").Skip(1).FirstOrDefault();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
var ct = timeout.Token;

var root = Path.Combine(Path.GetTempPath(), $"pgha-bench-failover-{Guid.NewGuid():N}"[..36]);
Directory.CreateDirectory(Path.Combine(root, "stacks"));
File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
await File.WriteAllTextAsync(Path.Combine(root, "stacks", "Pulumi.bench.yaml"), $"""
    config:
      pg-ha-infra:topology: async
      pg-ha-infra:nodes:
        - name: pg-1
          port: {portBase}
        - name: pg-2
          port: {portBase + 1}
        - name: pg-3
          port: {portBase + 2}
    """, ct);
var stackSpec = await StackLoader.LoadAsync(new StackCatalog(Path.Combine(root, "stacks")), "bench", ct);
var cluster = await LocalCluster.OpenAsync(stackSpec, new LocalEngineOptions(Path.Combine(root, "state")), ct);
var samples = new List<(string Kind, string Variant, double Ms)>();
try
{
    await LocalEngine.UpAsync(cluster, allowRestart: false, SilentProgress.Instance, ct);
    var binaries = await cluster.BinariesAsync(ct);
    var credentials = (await cluster.CredentialsAsync(ct))!;
    await using (var setup = new ClusterAccess(cluster.Spec, cluster.Addresses, credentials))
    {
        await Execute(setup.DataSource(cluster.Spec.Primary), "CREATE TABLE IF NOT EXISTS bench_probe (at timestamptz)");
    }

    foreach (var kind in new[] { "switchover", "failover" })
    {
        for (var i = 0; i < runs; i++)
        {
            foreach (var variant in i % 2 == 0 ? new[] { "pgha", "baseline" } : ["baseline", "pgha"])
            {
                await cluster.RefreshAsync(ct);
                await using var access = new ClusterAccess(cluster.Spec, cluster.Addresses, credentials);
                var control = new LocalNodeControl(cluster, binaries);
                var ms = await MeasureAsync(kind, variant, access, control, binaries);
                samples.Add((kind, variant, ms));
                Console.Error.WriteLine($"{kind,-10} {variant,-8} run {i + 1}/{runs}: {ms,7:0.0} ms   ({cluster.Spec.Primary} was primary)");
            }
        }
    }
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

var report = Report(samples, runs);
Console.WriteLine(report);
if (resultsFile is not null)
{
    await File.WriteAllTextAsync(resultsFile, report, CancellationToken.None);
}

return 0;

async Task<double> MeasureAsync(string kind, string variant, ClusterAccess access, LocalNodeControl control, PostgresBinaries binaries)
{
    var spec = access.Spec;
    var old = spec.PrimaryNode;
    var target = spec.Replicas.First();
    var runner = new PromotionRunner(access, control);
    var clock = Stopwatch.StartNew();
    var origin = DateTimeOffset.UtcNow;
    // A probe on every replica: pgha's failover chooses the most advanced one, which need not be the first.
    var probes = new Dictionary<string, WriteProbe>();
    foreach (var replica in spec.Replicas)
    {
        probes[replica.Name] = await WriteProbe.StartAsync(access.DataSource(replica.Name), clock, ct);
    }

    TimeSpan start;
    if (kind == "switchover" && variant == "pgha")
    {
        var plan = SwitchoverPlanner.Plan(spec, await ReplicationObserver.ObserveAsync(access, ct), target.Name, force: false).Plan
            ?? throw new InvalidOperationException("pgha refused the switchover");
        var result = await runner.SwitchoverAsync(plan, rejoin: true, ct);
        Require(result);
        // The old primary refuses writes from the moment its fast shutdown begins: the start of the fence step.
        start = result.StepNamed("fence")!.StartedAt - origin;
    }
    else if (kind == "switchover")
    {
        // By hand: fast stop, the final LSN from pg_controldata, poll the target's replay, pg_promote(), write.
        start = clock.Elapsed;
        var data = cluster.Layout.DataDirectory(old.Name);
        await StartStop.StopAsync(binaries, cluster.Runner, data, StopMode.Fast, TimeSpan.FromSeconds(30), ct);
        var final = (await ControlData.ReadAsync(binaries, cluster.Runner, data, ct)).LatestCheckpoint;
        while (!await Scalar<bool>(access.DataSource(target.Name), $"SELECT pg_last_wal_replay_lsn() >= '{final}'::pg_lsn"))
        {
            await Task.Delay(10, ct);
        }

        await Execute(access.DataSource(target.Name), "SELECT pg_promote()");
    }
    else if (variant == "pgha")
    {
        await control.CrashAsync(old, ct);
        start = clock.Elapsed;
        var decision = FailoverPlanner.Plan(spec, await ReplicationObserver.ObserveAsync(access, ct), null, force: false);
        var plan = decision.Plan ?? throw new InvalidOperationException($"pgha refused the failover: {decision.Reason}");
        var observed = clock.Elapsed - start;
        var result = await runner.FailoverAsync(plan, rejoin: false, ct);
        Require(result);
        target = spec.Node(result.NewPrimary);
        Console.Error.WriteLine($"  pgha failover: observe+plan {observed.TotalMilliseconds:0} ms; " + string.Join("; ", result.Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds:0} ms")));
    }
    else
    {
        await control.CrashAsync(old, ct);
        start = clock.Elapsed;
        await Execute(access.DataSource(target.Name), "SELECT pg_promote()");
    }

    var first = await probes[target.Name].FirstWriteAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException($"{target.Name} never accepted a write");
    var rto = (first - start).TotalMilliseconds;
    foreach (var probe in probes.Values)
    {
        await probe.DisposeAsync();
    }

    var next = spec.WithPrimary(target.Name);

    // Untimed: bring the cluster back to health with the new primary, so the next run starts from a verified cluster.
    if (variant == "baseline")
    {
        await control.FenceAsync(old, ct);
        await control.InstallConfigurationAsync(next, next.Node(target.Name), ct);
        await RePoint.ReloadAsync(access.DataSource(target.Name), ct);
        await control.RecordPrimaryAsync(next, "bench baseline", ct);
        foreach (var step in PromotionPlan.RePointsBetween(spec, next))
        {
            await RePoint.RunAsync(access, control, next, step, TimeSpan.FromSeconds(15), ct);
        }
    }

    if (kind == "failover" || variant == "baseline")
    {
        Require(await runner.RejoinAsync(next, old.Name, ct));
    }

    return rto;
}

static void Require(PromotionReport report)
{
    if (!report.Succeeded)
    {
        throw new InvalidOperationException($"{report.Kind} failed: {report.Error}");
    }
}

static async Task Execute(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}

static async Task<T> Scalar<T>(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    return (T)(await command.ExecuteScalarAsync())!;
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

static string Report(List<(string Kind, string Variant, double Ms)> samples, int runs)
{
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    var text = new StringBuilder()
        .AppendLine(CultureInfo.InvariantCulture, $"| measure | pgha median [min-max] | baseline median [min-max] | ratio | runs |")
        .AppendLine("| --- | --- | --- | --- | --- |");
    foreach (var kind in new[] { "switchover", "failover" })
    {
        var pgha = samples.Where(s => s.Kind == kind && s.Variant == "pgha").Select(s => s.Ms).ToList();
        var baseline = samples.Where(s => s.Kind == kind && s.Variant == "baseline").Select(s => s.Ms).ToList();
        if (pgha.Count == 0)
        {
            continue;
        }

        string Cell(List<double> v) => string.Create(CultureInfo.InvariantCulture, $"{Median(v):0} ms [{v.Min():0}-{v.Max():0}]");
        var label = kind == "switchover" ? "switchover RTO (old primary refusing writes -> new primary accepting)" : "failover RTO (promote decision -> first accepted write)";
        text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {Cell(pgha)} | {Cell(baseline)} | {Median(pgha) / Median(baseline):0.00}x | {runs} |");
    }

    return text.ToString();
}
