using System.ComponentModel;
using PgHaInfra.Local;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>Options of the verbs that act on the local engine's cluster of a stack.</summary>
public class LocalStackSettings : StackSettings
{
    [CommandOption("--state-dir <DIR>")]
    [Description("This stack's state directory. Default: PGHA_STATE_DIR/<stack>, else /var/lib/pgha/<stack> as root, else ${XDG_STATE_HOME:-~/.local/state}/pgha/<stack>.")]
    public string? StateDirectory { get; init; }

    [CommandOption("--pg-bindir <DIR>")]
    [Description("PostgreSQL's bin directory. Default: PGHA_PG_BINDIR, else initdb on PATH (symlink resolved), else pg_config --bindir.")]
    public string? PostgresBinDirectory { get; init; }

    public LocalEngineOptions EngineOptions() => new(StateDirectory, PostgresBinDirectory);

    /// <summary>Loads the stack and opens its local cluster; engine errors become one clear CLI message.</summary>
    public async Task<LocalCluster> OpenAsync(CancellationToken cancellationToken)
    {
        var spec = await LoadAsync(cancellationToken);
        try
        {
            var cluster = await LocalCluster.OpenAsync(spec, EngineOptions(), cancellationToken);
            await Patroni.PatroniLeader.FollowAsync(cluster, cancellationToken);
            return cluster;
        }
        catch (LocalEngineException e)
        {
            throw new CliException(e.Message);
        }
    }
}
