using System.ComponentModel;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>Brings a failed or fenced primary back as a replica of the current primary: pg_rewind, else a fresh base backup.</summary>
public sealed class RejoinCommand(CliConsoles consoles) : AsyncCommand<RejoinCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--node <NODE>")]
        [Description("The node to bring back as a replica (the old primary). Required.")]
        public string? Node { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Consent to re-clone (delete the data directory and pg_basebackup) if pg_rewind cannot rewind the node: divergence it cannot follow, or WAL already gone. Never after a connection error.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as JSON (schema in docs/failover.md).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Node is not { Length: > 0 } node)
        {
            throw new CliException("--node <NODE> is required: the old primary to bring back as a replica", ExitCodes.InvalidInput);
        }

        await using var session = await FailoverSession.OpenAsync(settings, consoles, "rejoin", cancellationToken, settings.AllowReclone);
        session.RequireNode("--node", node);
        if (session.Spec.Primary == node)
        {
            throw new CliException($"--node = \"{node}\": {node} is the current primary of stack {session.Spec.Stack}; only a replica can rejoin", ExitCodes.InvalidInput);
        }

        session.Say($"rejoin: {node} as a replica of {session.Spec.UpstreamOf(session.Spec.Node(node))!.Name}");
        var report = await session.Runner(settings.Json).RejoinAsync(session.Spec, node, cancellationToken);
        var verify = report.Succeeded ? await session.VerifyAsync(session.Spec, cancellationToken) : null;
        return PromotionViews.Finish(consoles, session, report, verify, settings.Json);
    }
}
