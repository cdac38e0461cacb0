using PgHaInfra.Deployment;

namespace PgHaInfra.Docker.Tests;

/// <summary>Every stack deploys on the real engine, passes the post-deploy streaming check, and its names resolve as declared.</summary>
public sealed class EveryStackTests
{
    [DockerTheory]
    [Trait("Category", "Docker")]
    [MemberData(nameof(TestStacks.All), MemberType = typeof(TestStacks))]
    public async Task Stack_deploys_streams_resolves_its_names_and_leaves_nothing(string stack)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var spec = await TestStacks.LoadAsync(stack, ct);
        DeploymentApplier applier;
        await using (var cluster = await DeployedCluster.DeployAsync(spec, ct))
        {
            applier = cluster.Applier;
            var report = await cluster.CheckAsync(ct);
            Assert.True(report.Passed, report.Summary);

            var primary = await cluster.AddressOnNetworkAsync(spec.Primary, ct);
            var readers = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var node in spec.Nodes.Where(n => NetworkAliases.ServesReads(spec, n)))
            {
                readers.Add(await cluster.AddressOnNetworkAsync(node.Name, ct));
            }

            var psql = $"{ContainerLayout.BinDirectory(spec)}/psql";
            var output = await cluster.ClientAsync(
                $"getent ahostsv4 {spec.Endpoints.Write} | awk '{{print $1}}' | sort -u | tr '\\n' ' '; echo; " +
                $"getent ahostsv4 {spec.Endpoints.Read} | awk '{{print $1}}' | sort -u | tr '\\n' ' '; echo; " +
                $"{psql} -X -qAt -h {spec.Endpoints.Write} -U {spec.Replication.Superuser} -d postgres " +
                "-c 'SELECT pg_is_in_recovery()' -c 'CREATE TABLE dns_probe (x int)' -c 'INSERT INTO dns_probe VALUES (7) RETURNING x' | tr '\\n' ' '; echo; " +
                $"{psql} -X -qAt -h {spec.Endpoints.Read} -U {spec.Replication.Superuser} -d postgres -c 'SELECT pg_is_in_recovery()'",
                ct,
                $"PGPASSWORD={cluster.Secrets.SuperuserPassword}", "PGCONNECT_TIMEOUT=5");
            var lines = output.Split('\n');
            Assert.Equal(primary, lines[0].Trim());
            Assert.Equal(string.Join(' ', readers), lines[1].Trim());
            Assert.Equal("f 7", lines[2].Trim());
            // Without a replica that serves reads (single), the read name is the primary's.
            Assert.Equal(spec.Replicas.Any(r => !r.IsDelayed) ? "t" : "f", lines[3].Trim());
        }

        Assert.Equal("containers: ; networks: ; volumes: ", await applier.LeftoversAsync(CancellationToken.None));
    }
}
