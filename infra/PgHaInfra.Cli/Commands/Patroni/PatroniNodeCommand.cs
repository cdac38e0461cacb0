using System.ComponentModel;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Local.Patroni;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Patroni;

/// <summary>
/// The node supervisor `up` starts for each node in patroni mode (hidden: not for people to type). It is the parent
/// of the node's Patroni and kills the node's PostgreSQL the moment Patroni exits (<see cref="NodeSupervisor"/>).
/// </summary>
public sealed class PatroniNodeCommand : AsyncCommand<PatroniNodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--state-dir <DIR>")]
        [Description("The stack's state directory.")]
        public string StateDirectory { get; init; } = "";

        [CommandOption("--node <NODE>")]
        [Description("The node this supervisor runs.")]
        public string Node { get; init; } = "";

        [CommandOption("--restart-after <SECONDS>")]
        [Description("Seconds from a fence to Patroni's restart.")]
        [DefaultValue(6)]
        public int RestartAfterSeconds { get; init; } = 6;

        [CommandOption("--etcd <URLS>")]
        [Description("The etcd members' client URLs, comma-separated, where the lease guard reads the leader key.")]
        public string Etcd { get; init; } = "";

        [CommandOption("--leader-key <KEY>")]
        [Description("Patroni's leader key in etcd.")]
        public string LeaderKey { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var state = new StateLayout(Path.GetFullPath(settings.StateDirectory));
        var layout = new PatroniLayout(state);
        var options = new SupervisorOptions(settings.Node, layout.ConfigFile(settings.Node), state.DataDirectory(settings.Node),
            state.SuperuserPasswordFile, state.ReplicationPasswordFile, TimeSpan.FromSeconds(settings.RestartAfterSeconds), state.Root,
            [.. settings.Etcd.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u.EndsWith('/') ? u : u + "/"))], settings.LeaderKey);
        using var supervisor = new NodeSupervisor(options, ServerUser.Detect(), Console.Out);
        var code = await supervisor.RunAsync(cancellationToken);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"supervisor exit {code}"));
        return code;
    }
}
