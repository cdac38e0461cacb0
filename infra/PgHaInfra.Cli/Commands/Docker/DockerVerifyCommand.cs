using PgHaInfra.Operations.Verification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>The post-deploy streaming check (the one `pulumi up` runs) against the containers, through the published ports.</summary>
public sealed class DockerVerifyCommand(CliConsoles consoles) : AsyncCommand<DockerVerifyCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--timeout <SECONDS>")]
        [System.ComponentModel.Description("How long the canary row may take to reach every replica. Default 30.")]
        public int TimeoutSeconds { get; init; } = 30;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.TimeoutSeconds is < 1 or > 3600)
        {
            throw new CliException($"--timeout = {settings.TimeoutSeconds}: allowed 1 to 3600 seconds", ExitCodes.InvalidInput);
        }

        await using var cluster = await settings.OpenAsync(cancellationToken);
        var report = await StreamingCheck.RunAsync(cluster.Access, new StreamingCheckOptions(TimeSpan.FromSeconds(settings.TimeoutSeconds)), cancellationToken);
        consoles.Out.Write(Views.Verification(report));
        consoles.Out.WriteLine(report.Summary, Style.Plain);
        DockerViews.ConfigLine(consoles, cluster);
        return report.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
