using PgHaInfra.Operations.Lag;
using Prometheus;

namespace PgHaInfra.Cli.Commands.Metrics;

/// <summary>
/// Serves one cluster's lag metrics over HTTP at http://HOST:PORT/metrics with prometheus-net's stand-alone
/// MetricServer (HttpListener). Every scrape runs a fresh probe first (a before-collect callback), so the numbers are
/// as of the scrape; concurrent scrapes share one probe at a time.
/// </summary>
public sealed class LagMetricsServer : IAsyncDisposable
{
    private readonly LagProbe probe;
    private readonly LagMetrics metrics = new();
    private readonly SemaphoreSlim oneProbeAtATime = new(1, 1);
    private readonly MetricServer server;

    public LagMetricsServer(LagProbe probe, string host, int port, Action<string>? log = null)
    {
        this.probe = probe;
        Url = $"http://{host}:{port}/metrics";
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            await oneProbeAtATime.WaitAsync(cancellationToken);
            try
            {
                var report = await this.probe.AssessAsync(cancellationToken);
                metrics.Update(report);
                log?.Invoke($"scrape: {report.Level.Name()}: {report.Reason} ({report.ProbeElapsed.TotalMilliseconds:0} ms)");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.Failed(this.probe.Spec.Name);
                log?.Invoke($"scrape: probe failed: {e.Message}");
            }
            finally
            {
                oneProbeAtATime.Release();
            }
        });
        server = new MetricServer(host, port, "metrics/", metrics.Registry);
    }

    public string Url { get; }

    public void Start() => server.Start();

    public async ValueTask DisposeAsync()
    {
        await server.StopAsync();
        server.Dispose();
        oneProbeAtATime.Dispose();
    }
}
