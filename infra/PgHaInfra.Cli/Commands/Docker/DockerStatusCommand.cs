using System.ComponentModel;
using PgHaInfra.Deployment;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Status;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>Each node's role as PostgreSQL reports it, its container, its aliases on the cluster network, lag, and the endpoints.</summary>
public sealed class DockerStatusCommand(CliConsoles consoles) : AsyncCommand<DockerStatusCommand.Settings>
{
    public sealed class Settings : DockerStackSettings
    {
        [CommandOption("--json")]
        [Description("Print the status as JSON.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        var spec = cluster.Spec;
        var nodes = await ClusterStatusReader.ReadAsync(cluster.Access, cancellationToken);
        var endpoints = ClusterEndpoints.For(spec, cluster.Access.Addresses, spec.Replication.Superuser);
        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                schemaVersion = 1,
                engine = "docker",
                stack = spec.Stack,
                cluster = spec.Name,
                primary = spec.Primary,
                declaredPrimary = cluster.Declared.Primary,
                pulumiConfig = cluster.PulumiConfigLine,
                writeName = spec.Endpoints.Write,
                readName = spec.Endpoints.Read,
                writeEndpoint = endpoints.Write,
                readEndpoint = endpoints.Read,
                writeEndpointLibpq = endpoints.WriteLibpq,
                readEndpointLibpq = endpoints.ReadLibpq,
                nodes = nodes.Select(n => new
                {
                    name = n.Name,
                    role = n.Role,
                    upstream = n.Upstream,
                    container = cluster.Nodes[n.Name].Name,
                    running = cluster.Nodes[n.Name].Running,
                    aliases = cluster.Nodes[n.Name].Aliases,
                    host = cluster.Access.Addresses[n.Name].Host,
                    port = cluster.Access.Addresses[n.Name].Port,
                    state = n.State,
                    syncState = n.SyncState,
                    lsn = n.Lsn,
                    receiveLsn = n.ReceiveLsn,
                    lagBytes = n.LagBytes,
                    lagSeconds = n.LagSeconds,
                    error = n.Error,
                }),
            });
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("node", "role", "upstream", "container", "names", "published", "state", "sync", "lsn (replay)", "lag");
            foreach (var n in nodes)
            {
                var container = cluster.Nodes[n.Name];
                var address = cluster.Access.Addresses[n.Name];
                var own = NetworkAliases.For(spec, spec.Node(n.Name));
                table.AddRow(
                    new Text(n.Name),
                    new Markup(n.Role switch { "primary" => "[green]primary[/]", "replica" => "replica", _ => $"[red]{Markup.Escape(n.Role)}[/]" }),
                    new Text(n.Upstream ?? "-"),
                    new Text($"{container.Name}{(container.Running ? "" : " (stopped)")}"),
                    new Text(string.Join(", ", container.Aliases.Where(a => !own.Contains(a))) is { Length: > 0 } names ? names : "-"),
                    new Text($"{address.Host}:{address.Port}"),
                    new Text(n.State ?? (n.Upstream is null ? "-" : n.ReceiverStatus ?? "not streaming")),
                    new Text(n.SyncState ?? "-"),
                    new Text(n.Lsn ?? "-"),
                    new Text(n.Upstream is null ? "-" : n.LagBytes is { } b ? $"{b} B, {n.LagSeconds ?? 0:0.###} s" : "?"));
            }

            consoles.Out.Write(table);
            Views.Endpoints(consoles.Out, endpoints);
            consoles.Out.WriteLine($"names on network {spec.Network.Name}: {spec.Endpoints.Write} (write), {spec.Endpoints.Read} (read)", Style.Plain);
        }

        DockerViews.ConfigLine(consoles, cluster);
        return nodes.All(n => n.Error is null) ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
