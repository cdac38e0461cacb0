using System.Reflection;
using PgHaInfra.Cli.Commands;
using PgHaInfra.Local;
using PgHaInfra.Messages;
using PgHaInfra.Stack;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli;

/// <summary>
/// The pgha command line: every verb is registered here, in one place. Program.cs runs it on the real consoles;
/// tests run it in-process on recording consoles.
/// </summary>
public static class PghaApp
{
    /// <summary>Runs pgha: what Program.cs and the in-process tests call. Every failure ends in one keyed message and exit 1 or 2.</summary>
    public static async Task<int> RunAsync(CliConsoles consoles, string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consoles);
        ArgumentNullException.ThrowIfNull(args);
        if (MissingOptionValue.Find(args) is { } missing)
        {
            consoles.ErrorLine($"pgha: {missing}");
            return ExitCodes.InvalidInput;
        }

        try
        {
            return await Create(consoles).RunAsync(EngineOption.Route(args), cancellationToken);
        }
        catch (Exception e)
        {
            // Spectre hands command failures to the exception handler; this catches what fails before or around it.
            return Failure.Report(consoles, e);
        }
    }

    public static CommandApp Create(CliConsoles consoles)
    {
        ArgumentNullException.ThrowIfNull(consoles);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("pgha");
            config.SetApplicationVersion(Version);

            // A mistyped option (--stak prod) must fail, not be ignored while the default stack is used.
            config.Settings.StrictParsing = true;
            config.Settings.Registrar.RegisterInstance(consoles);
            config.Settings.Console = consoles.Out;
            config.SetExceptionHandler((exception, _) => Failure.Report(consoles, exception));
            Register(config);
        });
        return app;
    }

    /// <summary>What `pgha --version` prints: the release, and the commit it was built from when the build knew it.</summary>
    public static string Version { get; } =
        typeof(PghaApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Every verb. Add new commands as a contiguous block per feature.</summary>
    private static void Register(IConfigurator config)
    {
        config.AddCommand<ValidateCommand>("validate")
            .WithDescription("Check a stack file (or --all of them); every mistake names the file, key, value and what is allowed.")
            .WithExample("validate", "--stack", "prod").WithExample("validate", "--all");
        config.AddCommand<RenderCommand>("render")
            .WithDescription("Print or write each node's postgresql.conf, pg_hba.conf and bootstrap SQL.")
            .WithExample("render", "--stack", "prod").WithExample("render", "--stack", "prod", "--node", "pg-4", "--out", "rendered");

        // The local engine (issue 3): up, plan, down, status, verify, psql.
        config.AddCommand<UpCommand>("up")
            .WithDescription("Create or converge the stack's cluster on this machine (real PostgreSQL on 127.0.0.1), verify streaming, print the endpoints.")
            .WithExample("up").WithExample("up", "--stack", "prod", "--allow-restart");
        config.AddCommand<PlanCommand>("plan")
            .WithDescription("Show what `up` would change (nodes, slots, settings; reload or restart), changing nothing.")
            .WithExample("plan", "--stack", "prod");
        config.AddCommand<DownCommand>("down")
            .WithDescription("Stop the stack's local cluster and remove it (--keep-data keeps the data directories).")
            .WithExample("down").WithExample("down", "--keep-data");
        config.AddCommand<StatusCommand>("status")
            .WithDescription("Each node's role as PostgreSQL reports it, upstream, LSNs, state and lag, and the endpoints (--json: stable schema).")
            .WithExample("status", "--json");
        config.AddCommand<VerifyCommand>("verify")
            .WithDescription("The post-deploy check: every replica streams from its upstream with the right sync state, a canary replicates, lag is under the thresholds.")
            .WithExample("verify", "--stack", "prod", "--json");
        config.AddCommand<PsqlCommand>("psql")
            .WithDescription("Open psql on a node or endpoint with the stored credentials (never on the command line). Arguments after -- go to psql.")
            .WithExample("psql", "--write").WithExample("psql", "--node", "pg-2", "--", "-c", "select pg_is_in_recovery()");

        // Lag monitoring (issue 6): lag, metrics.
        config.AddCommand<Commands.Lag.LagCommand>("lag")
            .WithDescription("Replication lag of every replica (bytes per stage, time, slots) against the stack's thresholds; Nagios exit codes 0 ok, 1 warning, 2 critical, 3 unknown.")
            .WithExample("lag", "--stack", "prod").WithExample("lag", "--json").WithExample("lag", "--watch", "2");
        config.AddCommand<Commands.Metrics.MetricsCommand>("metrics")
            .WithDescription("Serve the stack's replication lag as Prometheus metrics (pgha_*) at http://HOST:PORT/metrics, probing on each scrape.")
            .WithExample("metrics", "--stack", "prod", "--listen", "127.0.0.1:9187");

        // Switchover, failover, rejoin and drills (issue 5).
        config.AddCommand<Commands.Failover.SwitchoverCommand>("switchover")
            .WithDescription("Planned: check the target, stop the primary cleanly, wait for its final LSN on the target, promote, re-point, rejoin the old primary, verify.")
            .WithExample("switchover", "--to", "pg-2").WithExample("switchover", "--stack", "prod", "--to", "pg-3", "--json");
        config.AddCommand<Commands.Failover.FailoverCommand>("failover")
            .WithDescription("Unplanned: promote the most advanced healthy replica (or --to), refusing while the old primary accepts writes unless --force; fence, re-point, verify.")
            .WithExample("failover").WithExample("failover", "--stack", "prod", "--to", "pg-2", "--rejoin");
        config.AddCommand<Commands.Failover.RejoinCommand>("rejoin")
            .WithDescription("Bring a failed or fenced old primary back as a replica: pg_rewind, else a fresh base backup.")
            .WithExample("rejoin", "--node", "pg-1");
        config.AddCommand<Commands.Failover.DrillCommand>("drill")
            .WithDescription("Failover test as code: continuous writes through a switchover or a SIGKILL failover; RTO, RPO, report.md/json and timeline.svg; exit 1 if a commit is lost.")
            .WithExample("drill", "--kind", "switchover").WithExample("drill", "--kind", "failover", "--out", "artifacts/drills/latest");

        // Backups and point-in-time restore with pgBackRest (issue 17): backup, backups, restore.
        config.AddCommand<Commands.Backup.BackupCommand>("backup")
            .WithDescription("Take a pgBackRest backup (full, diff or incr), from a healthy standby when backup.fromStandby says so; retention applies after.")
            .WithExample("backup", "--stack", "prod").WithExample("backup", "--stack", "prod", "--type", "incr");
        config.AddCommand<Commands.Backup.BackupsCommand>("backups")
            .WithDescription("List the stack's backups: type, start, stop, sizes and the WAL range each needs (--json: pgBackRest's info --output=json).")
            .WithExample("backups", "--stack", "prod", "--json");
        config.AddCommand<Commands.Backup.RestoreCommand>("restore")
            .WithDescription("Point-in-time restore into a new cluster (--into NEWSTACK, its own stack file and ports), which then passes the streaming check; --in-place only while stopped.")
            .WithExample("restore", "--stack", "prod", "--to", "2026-12-01T22:15:00Z", "--into", "prod-restore").WithExample("restore", "--stack", "prod", "--to", "latest", "--in-place");

        // A stack deployed on Docker (issue 12): `pgha docker VERB`, which `pgha VERB --engine docker` routes to.
        config.AddBranch("docker", docker =>
        {
            docker.SetDescription("Operate a stack deployed on Docker (`pulumi up`): containers found by their pgha labels on DOCKER_HOST, credentials read from them. `pgha VERB --engine docker` is the same.");
            docker.AddCommand<Commands.Docker.DockerStatusCommand>("status").WithDescription("Each node's role, container, endpoint names, LSNs and lag.").WithExample("docker", "status", "--stack", "prod");
            docker.AddCommand<Commands.Docker.DockerVerifyCommand>("verify").WithDescription("The post-deploy streaming check against the containers.");
            docker.AddCommand<Commands.Docker.DockerLagCommand>("lag").WithDescription("Replication lag of the containers, with the local thresholds and JSON.");
            docker.AddCommand<Commands.Docker.DockerSwitchoverCommand>("switchover").WithDescription("Planned switchover; the write name moves to the new primary.").WithExample("docker", "switchover", "--stack", "prod", "--to", "pg-2");
            docker.AddCommand<Commands.Docker.DockerFailoverCommand>("failover").WithDescription("Failover after a lost primary container; fences it and moves the write name.");
            docker.AddCommand<Commands.Docker.DockerDrillCommand>("drill").WithDescription("Switchover or failover drill (docker kill of the primary's container) under continuous writes: RTO, RPO, report files.").WithExample("docker", "drill", "--stack", "prod", "--kind", "failover");
            docker.AddCommand<Commands.Docker.DockerRejoinCommand>("rejoin").WithDescription("Rejoin a fenced old primary's container as a replica (pg_rewind on its volume).");
        });

        // failover.mode patroni (issue 11): the node supervisor `up` starts per node; not for people to type.
        config.AddCommand<Commands.Patroni.PatroniNodeCommand>(PgHaInfra.Local.Patroni.PatroniEngine.SupervisorVerb).IsHidden();
    }
}

/// <summary>Turns an exception into one clear message on stderr and the exit code it deserves.</summary>
internal static partial class Failure
{
    /// <summary>Spectre's "Failed to convert 'abc' to Int32." names a .NET type; the user gets what was expected instead.</summary>
    private static string InCliWords(string message) =>
        ConvertFailure().Match(message) is { Success: true } m
            ? $"{Shown.Quote(m.Groups["value"].Value)} is not {m.Groups["type"].Value switch
            {
                "Int32" or "Int64" or "Nullable`1" => "a whole number",
                "Double" or "Decimal" or "Single" => "a number",
                "Boolean" => "true or false",
                _ => "a value this option takes",
            }}; see the verb's --help for its options"
            : message;

    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (?<type>[\w`]+)\.?\z", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ConvertFailure();

    public static int Report(CliConsoles consoles, Exception exception)
    {
        switch (exception)
        {
            case StackValidationException invalid:
                foreach (var error in invalid.Errors)
                {
                    consoles.ErrorLine(error.ToString());
                }

                return ExitCodes.InvalidInput;
            case CliException cli:
                consoles.ErrorLine($"pgha: {cli.Message}");
                return cli.ExitCode;
            case PgHaInfra.Docker.DockerOperationException docker:
                consoles.ErrorLine($"pgha: {docker.Message}");
                return ExitCodes.Failed;
            case global::Docker.DotNet.DockerApiException api:
                consoles.ErrorLine($"pgha: the Docker engine refused: {api.ResponseBody.Trim()} ({(int)api.StatusCode})");
                return ExitCodes.Failed;
            case LocalEngineException engine:
                consoles.ErrorLine($"pgha: {engine.Message}");
                return ExitCodes.Failed;
            case CommandAppException parse:
                consoles.ErrorLine($"pgha: {InCliWords(parse.Message)}");
                return ExitCodes.InvalidInput;
            case OperationCanceledException:
                consoles.ErrorLine("pgha: interrupted: stopped cleanly (the tool that was running was stopped; what was done stays done). Run `pgha up` (or the same command again) to carry on from here.");
                return 130;
            case UnauthorizedAccessException or IOException:
                // A file or folder pgha was pointed at; the message names the path.
                consoles.ErrorLine($"pgha: {exception.Message}");
                return ExitCodes.Failed;
            default:
                // No exception type reaches the user: the message, and that it was not expected.
                consoles.ErrorLine($"pgha: failed unexpectedly: {exception.Message}");
                return ExitCodes.Failed;
        }
    }
}
