using System.Diagnostics;
using System.Text.Json;

namespace PgHaInfra.Integration.Tests.Lag;

/// <summary>`pgha lag --watch` as a real process: it refreshes until Ctrl-C (SIGINT), then exits with the last level.</summary>
[Collection(LagCluster.Collection)]
public sealed class LagCommandProcessTests(LagCluster fixture)
{
    [Fact]
    public async Task Watch_json_prints_one_document_per_refresh_until_sigint_and_exits_with_the_last_level()
    {
        await fixture.WaitUntilOkAsync(TimeSpan.FromSeconds(20));
        using var process = Process.Start(PghaProcess.StartInfo(fixture.Cluster, "lag", "--json", "--watch", "0.3"))!;
        try
        {
            var documents = new List<JsonDocument>();
            // Each phase gets its own bound: on a loaded machine the start-up alone can take a good part of a minute.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (documents.Count < 3)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token)
                           ?? throw new InvalidOperationException($"pgha lag --watch ended early: {await process.StandardError.ReadToEndAsync()}");
                documents.Add(JsonDocument.Parse(line));
            }

            Assert.All(documents, d => Assert.Equal("pgha.lag/v1", d.RootElement.GetProperty("schema").GetString()));
            Assert.Equal(3, documents.Select(d => d.RootElement.GetProperty("observedAt").GetString()).Distinct().Count());

            // Keep reading stdout after the signal, so that a refresh written meanwhile never blocks on a full pipe.
            var rest = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Interrupt.Send(process);

            await process.WaitForExitAsync(exit.Token);
            await rest;
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_stack_without_a_cluster_is_unknown_exit_3()
    {
        var start = PghaProcess.StartInfo(fixture.Cluster, "lag");
        start.ArgumentList[start.ArgumentList.IndexOf("--state-dir") + 1] = Path.Combine(fixture.Cluster.Root, "nothing-here");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);

        Assert.Equal(3, process.ExitCode);
        Assert.Contains("has no local cluster", await stderr);
    }
}
