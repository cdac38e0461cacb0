using System.ComponentModel;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Operations.Status;
using Spectre.Console;
using Spectre.Console.Cli;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Cli.Commands;

/// <summary>
/// Each node's role as PostgreSQL reports it (pg_is_in_recovery), its upstream, LSNs, walsender state and lag,
/// and the endpoints. --json has a stable schema (README: "status --json"), version 1.
/// </summary>
public sealed class StatusCommand(CliConsoles consoles) : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--json")]
        [Description("Print the status as JSON (schema documented in the README).")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        var spec = cluster.Spec;
        var access = await cluster.AccessAsync(cancellationToken)
            ?? throw new CliException($"stack {spec.Stack} has no local cluster in {cluster.Layout.Root}: run `pgha up --stack {spec.Stack}` first");
        var nodes = await ClusterStatusReader.ReadAsync(access, cancellationToken);
        var endpoints = ClusterEndpoints.For(spec, cluster.Addresses, spec.Replication.Superuser);
        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                schemaVersion = 1,
                stack = spec.Stack,
                cluster = spec.Name,
                primary = spec.Primary,
                stateDirectory = cluster.Layout.Root,
                writeEndpoint = endpoints.Write,
                readEndpoint = endpoints.Read,
                writeEndpointLibpq = endpoints.WriteLibpq,
                readEndpointLibpq = endpoints.ReadLibpq,
                nodes = nodes.Select(n => new
                {
                    name = n.Name,
                    role = n.Role,
                    upstream = n.Upstream,
                    host = cluster.Addresses[n.Name].Host,
                    port = cluster.Addresses[n.Name].Port,
                    dataDirectory = cluster.Layout.DataDirectory(n.Name),
                    state = n.State,
                    syncState = n.SyncState,
                    receiverStatus = n.ReceiverStatus,
                    lsn = n.Lsn,
                    receiveLsn = n.ReceiveLsn,
                    lagBytes = n.LagBytes,
                    lagSeconds = n.LagSeconds,
                    error = n.Error,
                }),
                patroni = cluster.StackSpec.Failover.IsPatroni ? await Patroni.PatroniVerbs.MembersJsonAsync(cluster, cancellationToken) : null,
            });
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("node", "role", "upstream", "address", "state", "sync", "lsn (replay)", "received", "lag");
            foreach (var n in nodes)
            {
                var address = cluster.Addresses[n.Name];
                table.AddRow(
                    new Text(n.Name),
                    new Markup(n.Role switch { "primary" => "[green]primary[/]", "replica" => "replica", _ => $"[red]{Markup.Escape(n.Role)}[/]" }),
                    new Text(n.Upstream ?? "-"),
                    new Text($"{address.Host}:{address.Port}"),
                    new Text(n.State ?? (n.Upstream is null ? "-" : n.ReceiverStatus ?? "not streaming")),
                    new Text(n.SyncState ?? "-"),
                    new Text(n.Lsn ?? "-"),
                    new Text(n.ReceiveLsn ?? "-"),
                    new Text(n.Upstream is null ? "-" : n.LagBytes is { } b ? $"{b} B, {n.LagSeconds ?? 0:0.###} s" : "?"));
            }

            consoles.Out.Write(table);
            if (cluster.StackSpec.Failover.IsPatroni)
            {
                await Patroni.PatroniVerbs.WriteMembersAsync(consoles, cluster, cancellationToken);
            }

            Views.Endpoints(consoles.Out, endpoints);
            consoles.Out.WriteLine($"state: {cluster.Layout.Root}", Style.Plain);
        }

        return nodes.All(n => n.Error is null) ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
