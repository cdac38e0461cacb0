using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PgHaInfra.Local;
using PgHaInfra.Operations.Endpoints;
using PgHaInfra.Rendering;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>
/// Opens psql on one node or endpoint with the stored superuser credentials (cnpg psql is the model). The password
/// goes through a temporary 0600 passfile named by PGPASSFILE, never on a command line. Arguments after `--` go to psql.
/// </summary>
public sealed class PsqlCommand(CliConsoles consoles) : AsyncCommand<PsqlCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("-n|--node <NODE>")]
        [Description("Connect to this node.")]
        public string? Node { get; init; }

        [CommandOption("--write")]
        [Description("Connect through the write endpoint (whichever node is primary).")]
        public bool Write { get; init; }

        [CommandOption("--read")]
        [Description("Connect through the read endpoint (a replica when one answers).")]
        public bool Read { get; init; }

        [CommandOption("-d|--dbname <DB>")]
        [Description("Database to connect to.")]
        [DefaultValue("postgres")]
        public string Database { get; init; } = "postgres";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var chosen = (settings.Node is not null ? 1 : 0) + (settings.Write ? 1 : 0) + (settings.Read ? 1 : 0);
        if (chosen > 1)
        {
            throw new CliException("choose one of --node NODE, --write or --read", ExitCodes.InvalidInput);
        }

        await using var cluster = await settings.OpenAsync(cancellationToken);
        var spec = cluster.Spec;
        var credentials = await cluster.CredentialsAsync(cancellationToken)
            ?? throw new CliException($"stack {spec.Stack} has no local cluster in {cluster.Layout.Root}: run `pgha up --stack {spec.Stack}` first");
        string conninfo;
        if (settings.Node is { } name)
        {
            if (!spec.HasNode(name))
            {
                throw new CliException($"--node = \"{name}\": stack {spec.Stack} has no such node. Allowed: {string.Join(", ", spec.Nodes.Select(n => n.Name))}", ExitCodes.InvalidInput);
            }

            var address = cluster.Addresses[name];
            conninfo = ConnInfo.Format(
            [
                new("host", address.Host),
                new("port", address.Port.ToString(CultureInfo.InvariantCulture)),
                new("dbname", settings.Database),
                new("user", credentials.Superuser),
            ]);
        }
        else
        {
            var endpoints = ClusterEndpoints.For(spec, cluster.Addresses, credentials.Superuser, settings.Database);
            conninfo = settings.Read ? endpoints.ReadLibpq : endpoints.WriteLibpq;
        }

        PostgresBinaries binaries;
        try
        {
            binaries = await cluster.BinariesAsync(cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException(e.Message);
        }

        var passfile = Path.Combine(Path.GetTempPath(), $"pgha-psql-{Environment.ProcessId}-{Guid.NewGuid():N}.pgpass");
        try
        {
            await LocalSecrets.WritePrivateFileAsync(passfile, LocalSecrets.PassfileLine(credentials.Superuser, credentials.SuperuserPassword), cancellationToken);
            var info = new ProcessStartInfo(binaries.PathOf(PostgresBinaries.Psql)) { UseShellExecute = false };
            info.ArgumentList.Add(conninfo);
            foreach (var argument in context.Remaining.Raw)
            {
                info.ArgumentList.Add(argument);
            }

            // The user's terminal settings, but none of their libpq variables: PGPASSWORD or PGSERVICE would steer psql elsewhere.
            ToolEnvironment.Apply(info, new Dictionary<string, string> { ["PGPASSFILE"] = passfile }, interactive: true);
            using var process = Process.Start(info) ?? throw new CliException("could not start psql");
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }
        finally
        {
            File.Delete(passfile);
            _ = consoles;
        }
    }
}
