using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgHaInfra.Bench.Lag;
using PgHaInfra.Local;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Lag;
using PgHaInfra.Rendering;
using PgHaInfra.Stack;

// Usage: PgHaInfra.Bench.Lag --stacks-dir DIR --stack NAME --state-dir DIR --pgha PATH [--iterations N] [--proxy-port-offset K]
var options = Arguments.Parse(args);
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(15));
var ct = cancellation.Token;

var spec = await StackLoader.LoadAsync(new StackCatalog(options["--stacks-dir"]), options["--stack"], ct);
await using var cluster = await LocalCluster.OpenAsync(spec, new LocalEngineOptions(options["--state-dir"]), ct);
var access = await cluster.RequireAccessAsync(ct);
var iterations = int.Parse(options.GetValueOrDefault("--iterations", "15"), CultureInfo.InvariantCulture);
var offset = int.Parse(options.GetValueOrDefault("--proxy-port-offset", "100"), CultureInfo.InvariantCulture);
Console.Error.WriteLine($"bench: cluster {spec.Name}: primary + {spec.ReplicaCount} replicas, {iterations} iterations");

// --- Round trips, through counting proxies ---
var proxies = spec.Nodes.ToDictionary(n => n.Name, n => new RoundTripCountingProxy(n.Port + offset, n.Port));
var proxied = new ClusterAccess(access.Spec, access.Spec.Nodes.ToImmutableDictionary(n => n.Name, n => new NodeAddress("127.0.0.1", n.Port + offset)), access.Credentials);
long Count() => proxies.Values.Sum(p => p.RoundTrips);
async Task<long> RoundTripsOf(Func<Task> run)
{
    var before = Count();
    await run();
    await Task.Delay(50, ct); // let the relays account the last bytes
    return Count() - before;
}

var rt = new Dictionary<string, long>();
await RawQueries.RunAsync(proxied, pooled: null, ct); // JIT warm-up, not counted
rt["probe, new connections (= one `pgha lag`)"] = await RoundTripsOf(async () => { await using var p = new LagProbe(proxied); _ = await p.AssessAsync(ct); });
await using (var warmProbe = new LagProbe(proxied))
{
    _ = await warmProbe.AssessAsync(ct);
    rt["probe, pooled (--watch, metrics)"] = await RoundTripsOf(async () => _ = await warmProbe.AssessAsync(ct));
}

rt["raw queries, new connections"] = await RoundTripsOf(() => RawQueries.RunAsync(proxied, pooled: null, ct));
await using (var pooledRaw = new RawQueries.Pool(proxied))
{
    await RawQueries.RunAsync(proxied, pooledRaw, ct);
    rt["raw queries, pooled"] = await RoundTripsOf(() => RawQueries.RunAsync(proxied, pooledRaw, ct));
}

rt["psql per node (raw queries)"] = await RoundTripsOf(() => Psql.RunAllAsync(proxied, ct));
foreach (var p in proxies.Values)
{
    await p.DisposeAsync();
}

// --- Time, direct (no proxy), interleaved so every variant sees the same machine ---
var times = new Dictionary<string, List<double>>();
void Add(string name, double ms) => (times.TryGetValue(name, out var l) ? l : times[name] = []).Add(ms);
async Task<double> TimeAsync(Func<Task> run)
{
    var start = Stopwatch.GetTimestamp();
    await run();
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

var pghaArgs = new[] { "lag", "--json", "--stack", options["--stack"], "--stacks-dir", options["--stacks-dir"], "--state-dir", options["--state-dir"] };
await using var pooledProbe = new LagProbe(access);
await using var pool = new RawQueries.Pool(access);
_ = await pooledProbe.AssessAsync(ct);
await RawQueries.RunAsync(access, pool, ct);
for (var i = 0; i < iterations; i++)
{
    Add("pgha lag --json (process)", await TimeAsync(() => Processes.RunAsync(options["--pgha"], pghaArgs, null, ct)));
    Add("pgha validate (process: CLI start-up and stack load, no database)", await TimeAsync(() => Processes.RunAsync(options["--pgha"], ["validate", "--stack", options["--stack"], "--stacks-dir", options["--stacks-dir"]], null, ct)));
    Add("psql per node, in parallel (processes)", await TimeAsync(() => Psql.RunAllAsync(access, ct)));
    Add("probe, new connections", await TimeAsync(async () => { await using var p = new LagProbe(access); _ = await p.AssessAsync(ct); }));
    Add("raw queries, new connections", await TimeAsync(() => RawQueries.RunAsync(access, pooled: null, ct)));
    Add("probe, pooled", await TimeAsync(async () => _ = await pooledProbe.AssessAsync(ct)));
    Add("raw queries, pooled", await TimeAsync(() => RawQueries.RunAsync(access, pool, ct)));
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
}

var inv = CultureInfo.InvariantCulture;
Console.WriteLine($"Cluster: primary + {spec.ReplicaCount} streaming replicas (PostgreSQL {spec.Postgres.Version}, loopback), {Environment.ProcessorCount} cores; {iterations} interleaved iterations; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
Console.WriteLine();
Console.WriteLine("## Round trips (client→server turns counted by a TCP proxy in front of every node; all nodes together)");
Console.WriteLine();
Console.WriteLine("| variant | round trips |");
Console.WriteLine("| --- | ---: |");
foreach (var (name, count) in rt)
{
    Console.WriteLine($"| {name} | {count} |");
}

Console.WriteLine();
Console.WriteLine("## Time (ms)");
Console.WriteLine();
Console.WriteLine("| variant | median | min | max |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (name, list) in times)
{
    Console.WriteLine(string.Create(inv, $"| {name} | {Median(list):0.0} | {list.Min():0.0} | {list.Max():0.0} |"));
}

Console.WriteLine();
Console.WriteLine("## Ratios (medians)");
Console.WriteLine();
Console.WriteLine(string.Create(inv, $"- `pgha lag` process / psql per node: {Median(times["pgha lag --json (process)"]) / Median(times["psql per node, in parallel (processes)"]):0.00}"));
Console.WriteLine(string.Create(inv, $"- probe / raw queries, new connections: {Median(times["probe, new connections"]) / Median(times["raw queries, new connections"]):0.00}"));
Console.WriteLine(string.Create(inv, $"- probe / raw queries, pooled: {Median(times["probe, pooled"]) / Median(times["raw queries, pooled"]):0.00}"));
return 0;

/// <summary>--name value pairs.</summary>
internal static class Arguments
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i]] = args[i + 1];
        }

        foreach (var required in new[] { "--stacks-dir", "--stack", "--state-dir", "--pgha" })
        {
            if (!result.ContainsKey(required))
            {
                throw new ArgumentException($"missing {required}; usage: --stacks-dir DIR --stack NAME --state-dir DIR --pgha PATH [--iterations N]");
            }
        }

        return result;
    }
}

/// <summary>
/// The baseline: the probe's four statements sent the plain way, one command at a time on every node (all nodes at
/// once), through an ordinary Npgsql data source (type loading on, as a hand-written script would have it).
/// </summary>
internal static class RawQueries
{
    public sealed class Pool(ClusterAccess access) : IAsyncDisposable
    {
        private readonly Dictionary<string, NpgsqlDataSource> sources = access.Spec.Nodes.ToDictionary(n => n.Name, n => NpgsqlDataSource.Create(access.ConnectionString(n.Name)));

        public NpgsqlDataSource For(string node) => sources[node];

        public async ValueTask DisposeAsync()
        {
            foreach (var s in sources.Values)
            {
                await s.DisposeAsync();
            }
        }
    }

    public static Task RunAsync(ClusterAccess access, Pool? pooled, CancellationToken ct) =>
        Task.WhenAll(access.Spec.Nodes.Select(async n =>
        {
            await using var fresh = pooled is null ? NpgsqlDataSource.Create(access.ConnectionString(n.Name)) : null;
            await using var connection = await (pooled?.For(n.Name) ?? fresh!).OpenConnectionAsync(ct);
            foreach (var sql in LagProbe.Statements)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        _ = reader.GetValue(i);
                    }
                }
            }
        }));
}

/// <summary>The shell baseline: one psql per node, in parallel, each running the four statements.</summary>
internal static class Psql
{
    public static Task RunAllAsync(ClusterAccess access, CancellationToken ct)
    {
        var sql = string.Join(";\n", LagProbe.Statements) + ";";
        return Task.WhenAll(access.Spec.Nodes.Select(n =>
        {
            var address = access.AddressOf(n.Name);
            var env = new Dictionary<string, string> { ["PGPASSWORD"] = access.Credentials.SuperuserPassword };
            return Processes.RunAsync("psql", ["-X", "-q", "-A", "-t", "-h", address.Host, "-p", address.Port.ToString(CultureInfo.InvariantCulture),
                "-U", access.Credentials.Superuser, "-d", "postgres", "-c", sql], env, ct);
        }));
    }
}

internal static class Processes
{
    public static async Task RunAsync(string file, IEnumerable<string> arguments, Dictionary<string, string>? env, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? [])
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        await stdout;
        var error = await stderr;
        if (process.ExitCode is not 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited {process.ExitCode}: {error.Trim()}");
        }
    }
}
