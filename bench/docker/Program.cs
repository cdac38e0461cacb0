using System.Diagnostics;
using System.Globalization;
using PgHaInfra.Bench.Docker;
using PgHaInfra.Docker.Tests;
using PgHaInfra.Spec;
using PgHaInfra.Stack;

// bench/docker: nothing -> a verified primary + 2 async streaming replicas on Docker, the image already present.
//   pgha:     DockerDeployment.Build, applied as the provider applies it (network, volumes, containers after their
//             upstream is healthy, uploads before start, wait healthy), then the post-deploy StreamingCheck.
//   baseline: hand-typed docker commands with the same image and the same rendered files: docker run the primary with
//             initdb, psql the role and 2 slots, docker run each replica with pg_basebackup, poll pg_stat_replication.
// Runs alternate; every cluster is removed off the clock. Usage: dotnet run -c Release --project bench/docker [RUNS]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
var catalog = StackCatalog.Discover(AppContext.BaseDirectory);
var stackSpec = await StackLoader.LoadAsync(catalog, "local", CancellationToken.None);
var spec = TestStacks.ForThisMachine(stackSpec with { Name = "benchdocker", Network = NetworkSpec.DefaultFor("benchdocker"), Endpoints = new EndpointNames("pg-write.benchdocker.pgha.internal", "pg-read.benchdocker.pgha.internal") });
var pgha = new List<double>();
var baseline = new List<double>();
for (var run = 1; run <= runs; run++)
{
    baseline.Add(await Time(() => Baseline.RunAsync(spec, $"bench-b{run}")));
    pgha.Add(await Time(() => PghaRun(spec, $"bench-p{run}")));
    Console.WriteLine($"run {run}: baseline {baseline[^1]:F3} s, pgha {pgha[^1]:F3} s");
}

var (mb, mp) = (Median(baseline), Median(pgha));
Console.WriteLine($"medians: baseline {mb:F3} s, pgha {mp:F3} s; ratio {mp / mb:F2} (median of per-run ratios {Median([.. pgha.Zip(baseline, (p, b) => p / b)]):F2})");
return 0;

static async Task<double> Time(Func<Task<Func<Task>>> run)
{
    var clock = Stopwatch.StartNew();
    var teardown = await run();
    var seconds = clock.Elapsed.TotalSeconds;
    await teardown();
    return seconds;
}

static async Task<Func<Task>> PghaRun(ClusterSpec spec, string label)
{
    var cluster = await DeployedCluster.DeployAsync(spec, CancellationToken.None);
    var report = await cluster.CheckAsync(CancellationToken.None);
    if (!report.Passed)
    {
        await cluster.DisposeAsync();
        throw new InvalidOperationException(report.Summary);
    }

    _ = label;
    return async () => await cluster.DisposeAsync();
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
