using PgHaInfra.Local;
using PgHaInfra.Local.Failover;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Failover;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Spec;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Failover;

/// <summary>
/// What the switchover, failover, rejoin and drill verbs share: the stack's local cluster, access to it with the
/// stored credentials (its own instance, so recording a new primary never disposes it mid-operation), the local
/// engine's node control, step progress on stderr, and the post-deploy check for the cluster's new shape.
/// </summary>
internal sealed class FailoverSession : IAsyncDisposable
{
    private FailoverSession(LocalCluster cluster, ClusterAccess access, LocalNodeControl control, IAnsiConsole progress)
    {
        Cluster = cluster;
        Access = access;
        Control = control;
        Progress = progress;
    }

    public LocalCluster Cluster { get; }

    public ClusterAccess Access { get; }

    public LocalNodeControl Control { get; }

    private IAnsiConsole Progress { get; }

    public ClusterSpec Spec => Access.Spec;

    /// <param name="verb">The verb the session serves; it holds the stack (<see cref="StackLock"/>) under that name.</param>
    /// <param name="allowReclone">Consent (--allow-reclone) to re-clone a node that pg_rewind cannot rewind.</param>
    public static async Task<FailoverSession> OpenAsync(LocalStackSettings settings, CliConsoles consoles, string verb, CancellationToken cancellationToken, bool allowReclone = false)
    {
        // The stack lock first, then the state: the primary this verb acts on cannot change under it.
        var cluster = await settings.OpenForChangeAsync(verb, cancellationToken);
        try
        {
            var credentials = await cluster.CredentialsAsync(cancellationToken)
                ?? throw new CliException($"stack {cluster.Spec.Stack} has no local cluster in {cluster.Layout.Root}: run `pgha up --stack {cluster.Spec.Stack}` first");
            var binaries = await cluster.BinariesAsync(cancellationToken);
            var access = new ClusterAccess(cluster.Spec, cluster.Addresses, credentials);
            return new FailoverSession(cluster, access, new LocalNodeControl(cluster, binaries) { AllowReclone = allowReclone }, consoles.Error);
        }
        catch (LocalEngineException e)
        {
            await cluster.DisposeAsync();
            throw new CliException(e.Message);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Requires <paramref name="node"/> to be a node of the stack; bad input exits 2.</summary>
    public void RequireNode(string option, string node)
    {
        if (!Spec.HasNode(node))
        {
            throw new CliException($"{option} = \"{node}\": stack {Spec.Stack} has no such node. Allowed: {string.Join(", ", Spec.Nodes.Select(n => n.Name))}", ExitCodes.InvalidInput);
        }
    }

    public PromotionRunner Runner(bool quiet) => new(Access, Control, onStep: quiet ? null : PrintStep);

    public void PrintStep(StepTiming step) =>
        Progress.MarkupLineInterpolated($"  [bold]{step.Step,-18}[/] {step.Node ?? "",-12} [grey]{Time(step.Elapsed),8}[/]  {step.Detail}");

    public void Say(string line) => Progress.WriteLine(line, Style.Plain);

    /// <summary>The post-deploy check against the cluster as the engine now records it.</summary>
    public async Task<VerificationReport> VerifyAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        await using var access = new ClusterAccess(spec, Access.Addresses, Access.Credentials);
        return await StreamingCheck.RunAsync(access, new StreamingCheckOptions(TimeSpan.FromSeconds(15)), cancellationToken);
    }

    public static string Time(TimeSpan elapsed) => elapsed.TotalSeconds >= 1
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms");

    public async ValueTask DisposeAsync()
    {
        await Access.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
