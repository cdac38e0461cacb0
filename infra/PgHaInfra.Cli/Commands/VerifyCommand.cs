using System.ComponentModel;
using PgHaInfra.Operations.Verification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>The post-deploy check on demand: exit 0 only when every check passes, else 1 naming node, check and observation.</summary>
public sealed class VerifyCommand(CliConsoles consoles) : AsyncCommand<VerifyCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--json")]
        [Description("Print the results as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--deadline <SECONDS>")]
        [Description("How long every check may take to pass.")]
        [DefaultValue(10)]
        public int DeadlineSeconds { get; init; } = 10;

        [CommandOption("--no-canary")]
        [Description("Do not write a canary row; check that replicas replayed up to the primary's current LSN instead.")]
        public bool NoCanary { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        var access = await cluster.AccessAsync(cancellationToken)
            ?? throw new CliException($"stack {cluster.Spec.Stack} has no local cluster in {cluster.Layout.Root}: run `pgha up --stack {cluster.Spec.Stack}` first");
        var options = new StreamingCheckOptions(TimeSpan.FromSeconds(settings.DeadlineSeconds), !settings.NoCanary);
        var report = cluster.StackSpec.Failover.IsPatroni
            ? (await Patroni.PatroniVerbs.VerifyAsync(cluster, options, cancellationToken)).Report
            : await StreamingCheck.RunAsync(access, options, cancellationToken);
        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, Views.VerificationJson(report));
        }
        else
        {
            consoles.Out.Write(Views.Verification(report));
        }

        if (!report.Passed)
        {
            consoles.Error.WriteLine($"pgha: verify failed:\n{report.Summary}", Style.Plain);
            return ExitCodes.Failed;
        }

        consoles.Error.WriteLine($"verify: {report.Summary}", Style.Plain);
        return ExitCodes.Ok;
    }
}
