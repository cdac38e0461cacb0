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
            return await Create(consoles).RunAsync(args, cancellationToken);
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
            case LocalEngineException engine:
                consoles.ErrorLine($"pgha: {engine.Message}");
                return ExitCodes.Failed;
            case CommandAppException parse:
                consoles.ErrorLine($"pgha: {InCliWords(parse.Message)}");
                return ExitCodes.InvalidInput;
            case OperationCanceledException:
                consoles.ErrorLine("pgha: cancelled");
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
