using System.Collections.Immutable;
using System.Globalization;
using Npgsql;
using PgHaInfra.Bench.DockerFailover;
using PgHaInfra.Docker;
using PgHaInfra.Docker.Tests;
using PgHaInfra.Operations.Drills;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

// bench/docker-failover: switchover and failover RTO on Docker (the longest time without an acknowledged write,
// writes through the write endpoint), pgha against a hand-written baseline, on the same deployed 3-node async cluster:
//   pgha:     the drill (`pgha docker drill`): every safety check, fence, final LSN, promote, re-point, alias move, rejoin.
//   baseline: Baseline.cs: docker stop (switchover) or docker kill (failover), docker exec pg_promote, re-point, alias move.
// Per run: deploy; pgha switchover; baseline switchover; pgha rejoin of the stopped node (off the clock); pgha failover;
// baseline failover; teardown. Usage: dotnet run -c Release --project bench/docker-failover [RUNS]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var stackSpec = await StackLoader.LoadAsync(StackCatalog.Discover(AppContext.BaseDirectory), "local", CancellationToken.None);
var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
void Add(string key, TimeSpan gap) => (results.TryGetValue(key, out var l) ? l : results[key] = []).Add(gap.TotalSeconds);
var ct = CancellationToken.None;
for (var run = 1; run <= runs; run++)
{
    var name = $"benchdfo{run}";
    // A subnet of its own (a derived one may overlap a test stack's on the same engine).
    var spec = TestStacks.ForThisMachine(stackSpec with { Name = name, Network = new NetworkSpec($"pgha-{name}", $"10.90.{100 + run}.0/24"), Endpoints = new EndpointNames($"pg-write.{name}.pgha.internal", $"pg-read.{name}.pgha.internal") });
    await using var deployed = await DeployedCluster.DeployAsync(spec, ct);
    var state = Directory.CreateTempSubdirectory("ops-bench-");
    try
    {
        foreach (var kind in new[] { DrillKind.Switchover, DrillKind.Failover })
        {
            await using (var cluster = await DockerCluster.OpenAsync(spec, state.FullName, DockerEngineAddress.Resolve(Environment.GetEnvironmentVariable(DockerEngineAddress.Variable)), ct))
            {
                var control = new DockerNodeControl(cluster);
                var drill = new Drill(cluster.Access, control, control, WriteEndpoint(cluster), async (s, token) =>
                {
                    await using var access = new PgHaInfra.Operations.Access.ClusterAccess(s, cluster.Access.Addresses, cluster.Credentials);
                    var report = await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(30)), token);
                    return (report.Passed, report.Summary);
                });
                var result = await drill.RunAsync(DrillOptions.For(kind), ct);
                Console.WriteLine($"run {run} pgha {kind}: {result.Verdict}; longest gap {result.Metrics.LongestGap.TotalMilliseconds:0} ms");
                Add($"pgha {kind}", result.Metrics.LongestGap);
            }

            // The baseline moves the primary on from wherever pgha left it, to the first other node.
            await using (var cluster = await DockerCluster.OpenAsync(spec, state.FullName, DockerEngineAddress.Resolve(Environment.GetEnvironmentVariable(DockerEngineAddress.Variable)), ct))
            {
                var now = cluster.Spec;
                var target = now.Replicas.First().Name;
                await using var writer = new ContinuousWriter(WriteEndpoint(cluster), $"base-{kind}-{run}", TimeSpan.FromMilliseconds(2));
                await writer.PrepareAsync(ct);
                writer.Start();
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                await Baseline.PromoteAsync(deployed, now, target, kill: kind == DrillKind.Failover, ct);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                await writer.StopAsync();
                var gap = LongestGap(writer.Records);
                Console.WriteLine($"run {run} baseline {kind}: {now.Primary} -> {target}; longest gap {gap.TotalMilliseconds:0} ms");
                Add($"baseline {kind}", gap);

                // Off the clock: record the baseline's primary and rejoin the node it left stopped, for the next measure.
                await cluster.RecordPrimaryAsync(target, "bench baseline", ct);
                var next = now.WithPrimary(target);
                await using var access = new PgHaInfra.Operations.Access.ClusterAccess(next, cluster.Access.Addresses, cluster.Credentials);
                var rejoin = await new PgHaInfra.Operations.Failover.PromotionRunner(access, new DockerNodeControl(cluster)).RejoinAsync(next, now.Primary, ct);
                if (!rejoin.Succeeded)
                {
                    throw new InvalidOperationException($"rejoin after the baseline: {rejoin.Error}");
                }
            }
        }
    }
    finally
    {
        state.Delete(recursive: true);
    }
}

foreach (var kind in new[] { "Switchover", "Failover" })
{
    var (p, b) = (Median(results[$"pgha {kind}"]), Median(results[$"baseline {kind}"]));
    Console.WriteLine($"{kind}: median longest write gap pgha {p:F3} s, baseline {b:F3} s, ratio {p / b:F2} (runs: pgha {string.Join(", ", results[$"pgha {kind}"].Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}; baseline {string.Join(", ", results[$"baseline {kind}"].Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})");
}

return 0;

static string WriteEndpoint(DockerCluster cluster) =>
    new NpgsqlConnectionStringBuilder(ClusterEndpoints.For(cluster.Spec, cluster.Access.Addresses, cluster.Credentials.Superuser).Write) { Password = cluster.Credentials.SuperuserPassword }.ConnectionString;

static TimeSpan LongestGap(ImmutableArray<WriteRecord> records)
{
    var acknowledged = records.Where(r => r.Acknowledged).Select(r => r.DoneAt).Order().ToList();
    return acknowledged.Count < 2 ? TimeSpan.Zero : acknowledged.Zip(acknowledged.Skip(1), (a, b) => b - a).Max();
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
