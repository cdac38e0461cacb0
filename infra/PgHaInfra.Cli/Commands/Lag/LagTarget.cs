using PgHaInfra.Local;
using PgHaInfra.Operations.Lag;
using PgHaInfra.Stack;
using Spectre.Console;

namespace PgHaInfra.Cli.Commands.Lag;

/// <summary>
/// The local cluster of a stack and a lag probe over its access. Any failure to get there (a stack with mistakes, no
/// cluster yet) is reported on stderr and leaves Probe null: for a monitoring check that is "unknown" (exit 3), not
/// critical, so it is not thrown as the usual exit-2 error.
/// </summary>
internal sealed class LagTarget : IAsyncDisposable
{
    private LocalCluster? cluster;

    public LagProbe? Probe { get; private set; }

    public static async Task<LagTarget> OpenAsync(LocalStackSettings settings, CliConsoles consoles, CancellationToken cancellationToken)
    {
        var target = new LagTarget();
        try
        {
            target.cluster = await settings.OpenAsync(cancellationToken);
            var access = await target.cluster.AccessAsync(cancellationToken);
            if (access is null)
            {
                consoles.Error.WriteLine(
                    $"pgha: stack {target.cluster.Spec.Stack} has no local cluster in {target.cluster.Layout.Root}: run `pgha up --stack {target.cluster.Spec.Stack}` first", Style.Plain);
                return target;
            }

            target.Probe = new LagProbe(access);
        }
        catch (StackValidationException invalid)
        {
            foreach (var error in invalid.Errors)
            {
                consoles.Error.WriteLine(error.ToString(), Style.Plain);
            }
        }
        catch (CliException e)
        {
            consoles.Error.WriteLine($"pgha: {e.Message}", Style.Plain);
        }

        return target;
    }

    public async ValueTask DisposeAsync()
    {
        if (Probe is not null)
        {
            await Probe.DisposeAsync();
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
