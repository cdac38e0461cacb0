using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Verification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>
/// Converges the stack's local cluster (create, start, reload, remove, slots), then proves streaming with the
/// post-deploy check and prints the endpoints. A second run on a converged cluster changes nothing and says so.
/// </summary>
public sealed class UpCommand(CliConsoles consoles) : AsyncCommand<UpCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--allow-restart")]
        [Description("Restart nodes whose changed settings need a restart (postmaster context). Without it such changes are reported, not applied.")]
        public bool AllowRestart { get; init; }

        [CommandOption("--show-secrets")]
        [Description("Print the generated superuser and replication passwords.")]
        public bool ShowSecrets { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON on stdout (progress still goes to stderr).")]
        public bool Json { get; init; }

        [CommandOption("--adopt")]
        [Description("Record the data directories that are there but that state.json does not (state.json lost, or unreadable: it is set aside, never deleted). Roles are read from the servers and standby.signal.")]
        public bool Adopt { get; init; }

        [CommandOption("--rebuild <NODES>")]
        [Description("Consent to delete these nodes' data directories (comma-separated), even when they hold a cluster, and make them again. Never the default.")]
        public string? Rebuild { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to re-clone (delete and pg_basebackup) a fenced node that pg_rewind cannot rewind (divergence or missing WAL). Never after a connection error.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--verify-deadline <SECONDS>")]
        [Description("How long the post-deploy check may wait for streaming.")]
        [DefaultValue(30)]
        public int VerifyDeadlineSeconds { get; init; } = 30;

        public UpConsent Consent(Spec.ClusterSpec spec) => Consent(spec, Adopt, Rebuild, AllowReclone);
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The stack lock first, then state.json: a concurrent down or switchover cannot change what this run acts on.
        await using var cluster = await settings.OpenForChangeAsync("up", cancellationToken, adoptUnreadableState: settings.Adopt);
        var consent = settings.Consent(cluster.StackSpec);
        if (cluster.StackSpec.Failover.IsPatroni)
        {
            return await Patroni.PatroniVerbs.UpAsync(consoles, cluster, settings, cancellationToken);
        }

        var spec = cluster.Spec;
        // Plain text, like the progress lines: markup rendering costs start-up time on the path to initdb.
        consoles.ErrorLine($"up stack {spec.Stack}: {spec.Topology.ToString().ToLowerInvariant()}, {spec.Nodes.Length} node(s), primary {spec.Primary}, state in {cluster.Layout.Root}");
        var checkOptions = new StreamingCheckOptions(TimeSpan.FromSeconds(settings.VerifyDeadlineSeconds));
        UpResult result;
        try
        {
            result = await LocalEngine.UpAsync(cluster, settings.AllowRestart, consent, new ProgressPrinter(consoles.Error), cancellationToken);
        }
        catch (Exception e) when (e is LocalEngineException or Operations.Failover.FailoverException)
        {
            throw new CliException($"up failed: {e.Message}");
        }

        foreach (var note in result.Plan.Notes)
        {
            consoles.Error.WriteLine($"  note: {note}", Style.Plain);
        }

        foreach (var pending in result.Plan.PendingRestarts)
        {
            consoles.Error.MarkupLineInterpolated($"  [yellow]restart needed[/] {pending.Reason}");
        }

        if (!result.Changed)
        {
            consoles.Error.WriteLine($"no changes: the local cluster of stack {spec.Stack} already matches it", Style.Plain);
        }

        var access = await cluster.RequireAccessAsync(cancellationToken);
        var verifyClock = Stopwatch.StartNew();
        var report = await StreamingCheck.RunAsync(access, checkOptions, cancellationToken);
        var verifyElapsed = verifyClock.Elapsed;
        var endpoints = ClusterEndpoints.For(cluster.Spec, cluster.Addresses, spec.Replication.Superuser);
        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                stack = spec.Stack,
                changed = result.Changed,
                primary = cluster.Spec.Primary,
                stateDirectory = cluster.Layout.Root,
                actions = result.Plan.Actions.Select(a => new { node = a.Node, kind = a.Kind, reason = a.Reason }),
                steps = result.Steps.Select(s => new { node = s.Node, step = s.Step, seconds = s.Elapsed?.TotalSeconds }),
                checkSeconds = verifyElapsed.TotalSeconds,
                seconds = clock.Elapsed.TotalSeconds,
                verification = Views.VerificationJson(report),
                endpoints = Views.EndpointsJson(endpoints),
                secrets = settings.ShowSecrets ? new { superuser = result.Credentials.SuperuserPassword, replication = result.Credentials.ReplicationPassword } : null,
            });
        }
        else
        {
            consoles.Out.Write(Views.Verification(report));
            Views.Endpoints(consoles.Out, endpoints);
            if (settings.ShowSecrets)
            {
                consoles.Out.WriteLine($"superuser {result.Credentials.Superuser} password: {result.Credentials.SuperuserPassword}", Style.Plain);
                consoles.Out.WriteLine($"replication {result.Credentials.ReplicationUser} password: {result.Credentials.ReplicationPassword}", Style.Plain);
            }

            consoles.Out.WriteLine($"psql: ./pgha psql --stack {spec.Stack} --write   (passwords: --show-secrets)", Style.Plain);
        }

        var seconds = clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        var verifySeconds = verifyElapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        if (!report.Passed)
        {
            consoles.Error.WriteLine($"pgha: up: the post-deploy check failed ({verifySeconds} s):\n{report.Summary}", Style.Plain);
            return ExitCodes.Failed;
        }

        consoles.Error.WriteLine($"up: stack {spec.Stack} is verified ({report.Summary}; check {verifySeconds} s) in {seconds} s", Style.Plain);
        return ExitCodes.Ok;
    }
}
