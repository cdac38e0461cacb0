using PgHaInfra.Cli;
using PgHaInfra.Cli.Commands;
using PgHaInfra.Cli.Commands.Failover;
using PgHaInfra.Stack;
using Spectre.Console;
using Spectre.Console.Cli;

var consoles = CliConsoles.System();
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pgha");
    config.Settings.Registrar.RegisterInstance(consoles);
    config.Settings.Console = consoles.Out;
    config.SetExceptionHandler((exception, _) => Failure.Report(consoles, exception));

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

    // Switchover, failover, rejoin and drills (issue 5).
    config.AddCommand<SwitchoverCommand>("switchover")
        .WithDescription("Planned: check the target, stop the primary cleanly, wait for its final LSN on the target, promote, re-point, rejoin the old primary, verify.")
        .WithExample("switchover", "--to", "pg-2").WithExample("switchover", "--stack", "prod", "--to", "pg-3", "--json");
    config.AddCommand<FailoverCommand>("failover")
        .WithDescription("Unplanned: promote the most advanced healthy replica (or --to), refusing while the old primary accepts writes unless --force; fence, re-point, verify.")
        .WithExample("failover").WithExample("failover", "--stack", "prod", "--to", "pg-2", "--rejoin");
    config.AddCommand<RejoinCommand>("rejoin")
        .WithDescription("Bring a failed or fenced old primary back as a replica: pg_rewind, else a fresh base backup.")
        .WithExample("rejoin", "--node", "pg-1");
    config.AddCommand<DrillCommand>("drill")
        .WithDescription("Failover test as code: continuous writes through a switchover or a SIGKILL failover; RTO, RPO, report.md/json and timeline.svg; exit 1 if a commit is lost.")
        .WithExample("drill", "--kind", "switchover").WithExample("drill", "--kind", "failover", "--out", "artifacts/drills/latest");
});

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await app.RunAsync(args, cancellation.Token);

/// <summary>Turns an exception into one clear message on stderr and the exit code it deserves.</summary>
internal static class Failure
{
    public static int Report(CliConsoles consoles, Exception exception)
    {
        switch (exception)
        {
            case StackValidationException invalid:
                foreach (var error in invalid.Errors)
                {
                    consoles.Error.WriteLine(error.ToString(), Style.Plain);
                }

                return ExitCodes.InvalidInput;
            case CliException cli:
                consoles.Error.WriteLine($"pgha: {cli.Message}", Style.Plain);
                return cli.ExitCode;
            case CommandAppException parse:
                consoles.Error.WriteLine($"pgha: {parse.Message}", Style.Plain);
                return ExitCodes.InvalidInput;
            case OperationCanceledException:
                consoles.Error.WriteLine("pgha: cancelled", Style.Plain);
                return 130;
            default:
                consoles.Error.WriteLine($"pgha: {exception.GetType().Name}: {exception.Message}", Style.Plain);
                return ExitCodes.Failed;
        }
    }
}
