using System.ComponentModel;
using System.Globalization;
using System.Net;
using PgHaInfra.Cli.Commands.Lag;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Metrics;

/// <summary>Serves the stack's lag as Prometheus metrics until Ctrl-C.</summary>
public sealed class MetricsCommand(CliConsoles consoles) : AsyncCommand<MetricsCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("-l|--listen <HOST:PORT>")]
        [Description("Where to serve http://HOST:PORT/metrics. Keep it on loopback unless a firewall guards it.")]
        [DefaultValue("127.0.0.1:9187")]
        public string Listen { get; init; } = "127.0.0.1:9187";

        public (string Host, int Port) Endpoint()
        {
            var colon = Listen.LastIndexOf(':');
            if (colon <= 0
                || !int.TryParse(Listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
                || !IPAddress.TryParse(Listen[..colon], out _) && Listen[..colon] != "localhost")
            {
                throw new CliException($"--listen = \"{Listen}\": expected HOST:PORT with an IP address (or localhost) and a port 1-65535, e.g. 127.0.0.1:9187", ExitCodes.InvalidInput);
            }

            return (Listen[..colon], port);
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (host, port) = settings.Endpoint();
        await using var target = await LagTarget.OpenAsync(settings, consoles, cancellationToken);
        if (target.Probe is not { } probe)
        {
            return ExitCodes.Failed;
        }

        await using var server = new LagMetricsServer(probe, host, port, line => consoles.Error.WriteLine(line, Style.Plain));
        try
        {
            server.Start();
        }
        catch (HttpListenerException e)
        {
            throw new CliException($"--listen = \"{settings.Listen}\": cannot listen there: {e.Message}");
        }

        consoles.Error.WriteLine($"serving {server.Url} for cluster {probe.Spec.Name} (stack {probe.Spec.Stack}); each scrape probes every node; Ctrl-C to stop", Style.Plain);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            consoles.Error.WriteLine("stopped", Style.Plain);
        }

        return ExitCodes.Ok;
    }
}
