using System.Diagnostics;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Patroni;
using PgHaInfra.Operations.Verification;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Patroni;

/// <summary>
/// up, plan, down and status for stacks in failover.mode patroni: the same verbs and the same post-deploy check,
/// with Patroni's member view beside PostgreSQL's and HAProxy's ports among the endpoints.
/// </summary>
internal static class PatroniVerbs
{
    public static async Task<int> UpAsync(CliConsoles consoles, LocalCluster cluster, UpCommand.Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var spec = cluster.StackSpec;
        var patroni = spec.Failover.Patroni!;
        consoles.ErrorLine($"up stack {spec.Stack}: {spec.Topology.ToString().ToLowerInvariant()}, {spec.Nodes.Length} node(s), patroni mode (ttl {patroni.Timings.Ttl}, loop_wait {patroni.Timings.LoopWait}, retry_timeout {patroni.Timings.RetryTimeout}), state in {cluster.Layout.Root}");
        PatroniUpResult result;
        try
        {
            result = await PatroniEngine.UpAsync(cluster, settings.AllowRestart, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"up failed: {e.Message}");
        }

        foreach (var node in result.PendingRestarts)
        {
            consoles.ErrorLine($"  restart needed {node}: Patroni reports pending_restart; run `pgha up --stack {spec.Stack} --allow-restart`");
        }

        if (!result.Changed)
        {
            consoles.ErrorLine($"no changes: the Patroni cluster of stack {spec.Stack} already matches it");
        }

        var (report, view) = await VerifyAsync(cluster, new StreamingCheckOptions(TimeSpan.FromSeconds(settings.VerifyDeadlineSeconds)), cancellationToken);
        var endpoints = ClusterEndpoints.For(cluster.Spec, cluster.Addresses, spec.Replication.Superuser);
        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                stack = spec.Stack,
                mode = "patroni",
                changed = result.Changed,
                primary = result.Leader,
                stateDirectory = cluster.Layout.Root,
                started = result.Started,
                applied = result.Applied.Select(c => new { key = c.Key, old = c.Current, @new = c.Wanted, reason = c.Reason }),
                restarted = result.Restarted,
                pendingRestarts = result.PendingRestarts,
                steps = result.Steps.Select(s => new { node = s.Node, step = s.Step, seconds = s.Elapsed?.TotalSeconds }),
                seconds = clock.Elapsed.TotalSeconds,
                verification = Views.VerificationJson(report),
                endpoints = Views.EndpointsJson(endpoints),
                haproxy = HaproxyJson(spec),
                members = view?.Members,
            });
        }
        else
        {
            consoles.Out.Write(Views.Verification(report));
            Views.Endpoints(consoles.Out, endpoints);
            WriteHaproxy(consoles, spec);
            consoles.Out.WriteLine($"psql: ./pgha psql --stack {spec.Stack} --write   (passwords: --show-secrets)", Style.Plain);
        }

        if (!report.Passed)
        {
            consoles.ErrorLine($"pgha: up: the post-deploy check failed:\n{report.Summary}");
            return ExitCodes.Failed;
        }

        consoles.ErrorLine($"up: stack {spec.Stack} is verified ({report.Summary}; Patroni leader {result.Leader}) in {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
        return ExitCodes.Ok;
    }

    /// <summary>The post-deploy check, judged by Patroni's leader and its chosen synchronous standbys.</summary>
    /// <remarks>
    /// Patroni may move its synchronous standby while the check runs (after a switchover, the rejoined old leader can
    /// take the role): a check that fails only on sync_state is repeated with Patroni's new view, within the deadline.
    /// </remarks>
    public static async Task<(VerificationReport Report, PatroniCluster? View)> VerifyAsync(LocalCluster cluster, StreamingCheckOptions options, CancellationToken cancellationToken)
    {
        using var client = new PatroniClient(cluster.StackSpec, PatroniEngine.Host);
        var credentials = await cluster.CredentialsAsync(cancellationToken)
            ?? throw new CliException($"stack {cluster.StackSpec.Stack} has no local cluster in {cluster.Layout.Root}: run `pgha up --stack {cluster.StackSpec.Stack}` first");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await client.ClusterAsync(cancellationToken);
            var checkSpec = view is null ? cluster.Spec : PatroniCheckSpec.For(cluster.StackSpec, view);
            var remaining = options.Deadline - clock.Elapsed;
            var attempt = options with { Deadline = remaining < TimeSpan.FromSeconds(10) ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.FromSeconds(1)) : TimeSpan.FromSeconds(10) };
            await using var access = new ClusterAccess(checkSpec, cluster.Addresses, credentials);
            var report = await StreamingCheck.RunAsync(access, attempt, cancellationToken);
            if (report.Passed || clock.Elapsed >= options.Deadline || report.Results.Any(r => !r.Passed && r.Check != "sync_state"))
            {
                return (report, view);
            }
        }
    }

    public static async Task<int> DownAsync(CliConsoles consoles, LocalCluster cluster, bool keepData, CancellationToken cancellationToken)
    {
        try
        {
            await PatroniEngine.DownAsync(cluster, keepData, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"down failed: {e.Message}");
        }

        consoles.ErrorLine(keepData
            ? $"down: stack {cluster.StackSpec.Stack} stopped (HAProxy, Patroni, PostgreSQL, etcd); data kept in {cluster.Layout.Root}"
            : $"down: stack {cluster.StackSpec.Stack} stopped and removed ({cluster.Layout.Root})");
        return ExitCodes.Ok;
    }

    public static async Task<int> PlanAsync(CliConsoles consoles, LocalCluster cluster, bool json, CancellationToken cancellationToken)
    {
        var lines = await PatroniEngine.PlanAsync(cluster, cancellationToken);
        if (json)
        {
            Views.WriteJson(consoles.Out, new { stack = cluster.StackSpec.Stack, mode = "patroni", converged = lines.IsEmpty, actions = lines });
            return ExitCodes.Ok;
        }

        var w = consoles.Out.Profile.Out.Writer;
        w.Write($"Plan for stack {cluster.StackSpec.Stack} (patroni mode), state in {cluster.Layout.Root}:\n");
        foreach (var line in lines)
        {
            w.Write($"  ~ {line}\n");
        }

        w.Write(lines.IsEmpty ? "No changes: the Patroni cluster matches the stack.\n" : $"{lines.Length} change(s).\n");
        return ExitCodes.Ok;
    }

    /// <summary>Patroni's member view (role, state, timeline, lag, pending restart), printed beside PostgreSQL's own status.</summary>
    public static async Task<PatroniCluster?> WriteMembersAsync(CliConsoles consoles, LocalCluster cluster, CancellationToken cancellationToken)
    {
        using var client = new PatroniClient(cluster.StackSpec, PatroniEngine.Host);
        var view = await client.ClusterAsync(cancellationToken);
        if (view is null)
        {
            consoles.ErrorLine($"status: no Patroni member of stack {cluster.StackSpec.Stack} answered on its REST API");
            return null;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Patroni").AddColumns("member", "role", "state", "timeline", "lag (bytes)", "pending restart", "REST");
        foreach (var m in view.Members)
        {
            table.AddRow(m.Name, m.Role, m.State, m.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "-", m.IsLeader ? "-" : m.Lag?.ToString(CultureInfo.InvariantCulture) ?? "unknown",
                m.PendingRestart ? "yes" : "no", client.UrlOf(m.Name, "").ToString());
        }

        consoles.Out.Write(table);
        WriteHaproxy(consoles, cluster.StackSpec);
        return view;
    }

    /// <summary>status --json in patroni mode: Patroni's member view and HAProxy's ports, beside PostgreSQL's own status.</summary>
    public static async Task<object> MembersJsonAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        using var client = new PatroniClient(cluster.StackSpec, PatroniEngine.Host);
        var view = await client.ClusterAsync(cancellationToken);
        return new
        {
            leader = view?.Leader?.Name,
            members = view?.Members.Select(m => new { name = m.Name, role = m.Role, state = m.State, timeline = m.Timeline, lag = m.Lag, pendingRestart = m.PendingRestart }),
            haproxy = HaproxyJson(cluster.StackSpec),
        };
    }

    public static object? HaproxyJson(PgHaInfra.Spec.ClusterSpec spec) => spec.Failover.Patroni?.Haproxy is { } h
        ? new { write = $"{PatroniEngine.Host}:{h.WritePort}", read = $"{PatroniEngine.Host}:{h.ReadPort}" }
        : null;

    private static void WriteHaproxy(CliConsoles consoles, PgHaInfra.Spec.ClusterSpec spec)
    {
        if (spec.Failover.Patroni?.Haproxy is { } h)
        {
            var w = consoles.Out.Profile.Out.Writer;
            w.Write("HAProxy (routes by Patroni's /primary and /replica checks):\n");
            w.Write($"  write: host={PatroniEngine.Host} port={h.WritePort}\n");
            w.Write($"  read:  host={PatroniEngine.Host} port={h.ReadPort}\n");
        }
    }
}
