using System.Collections.Immutable;
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

    /// <summary>
    /// The consent flags of `up` and `plan` (--adopt, --rebuild, --allow-reclone) as the engine takes them; a --rebuild
    /// naming no node of the stack is bad input.
    /// </summary>
    public static UpConsent Consent(Spec.ClusterSpec spec, bool adopt, string? rebuild, bool allowReclone)
    {
        var nodes = (rebuild ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableHashSet(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => !spec.HasNode(n)).Order(StringComparer.Ordinal))
        {
            throw new CliException($"--rebuild = \"{rebuild}\": stack {spec.Stack} has no node {node}. Allowed: {string.Join(", ", spec.Nodes.Select(n => n.Name))}", ExitCodes.InvalidInput);
        }

        return new UpConsent(adopt, nodes, allowReclone);
    }

    /// <summary>Loads the stack and opens its local cluster to change it: the stack lock first, then the state.</summary>
    /// <param name="adoptUnreadableState">`up --adopt`: open even when state.json is unreadable (it is set aside).</param>
    public async Task<LocalCluster> OpenForChangeAsync(string verb, CancellationToken cancellationToken, bool adoptUnreadableState = false)
    {
        var spec = await LoadAsync(cancellationToken);
        try
        {
            var cluster = await LocalCluster.OpenForChangeAsync(spec, EngineOptions() with { AdoptUnreadableState = adoptUnreadableState }, verb, cancellationToken);
            await Patroni.PatroniLeader.FollowAsync(cluster, cancellationToken);
            return cluster;
        }
        catch (Exception e) when (e is LocalEngineException or EngineStateUnreadableException)
        {
            throw new CliException(e.Message);
        }
    }

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
        catch (Exception e) when (e is LocalEngineException or EngineStateUnreadableException)
        {
            throw new CliException(e.Message);
        }
    }
}
