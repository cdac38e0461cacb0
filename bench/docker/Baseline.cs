using System.Globalization;
using PgHaInfra.Deployment;
using PgHaInfra.Docker.Tests;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;

namespace PgHaInfra.Bench.Docker;

/// <summary>What a person would type: docker network/volume create, docker run with the files copied in, psql, pg_basebackup.</summary>
public static class Baseline
{
    public static async Task<Func<Task>> RunAsync(ClusterSpec spec, string label)
    {
        var ct = CancellationToken.None;
        var secrets = DeploymentSecrets.Generate();
        var net = $"{label}-net";
        var bin = ContainerLayout.BinDirectory(spec);
        await DockerCli.RunAsync(["network", "create", "--subnet", spec.Network.Subnet, "--label", $"pgha.test={label}", net], ct);
        Func<Task> teardown = async () =>
        {
            var applier = new DeploymentApplier(label);
            await applier.TeardownAsync(CancellationToken.None);
        };
        var placement = ClusterPlacement.DockerNetwork(spec);
        var primary = spec.PrimaryNode;

        // The same rendered files; the passfile beside them.
        byte[] Files(NodeSpec node) => UploadArchive.Of(
        [
            .. NodeFiles.Render(spec, placement, node, secrets.ReplicationVerifier).Files
                .Where(f => f.Name != NodeFiles.StandbySignal)
                .Select(f => new Upload(ContainerLayout.PathOf(f.Name), DeploymentValue.Plain(f.Content))),
            new Upload(ContainerLayout.Passfile, DeploymentValue.Plain(Passfile.Content(spec.Replication.User, secrets.ReplicationPassword))),
        ]);
        async Task Run(NodeSpec node, string script)
        {
            var name = $"{label}-{node.Name}";
            await DockerCli.RunAsync(
                ["create", "--name", name, "--label", $"pgha.test={label}", "--network", net, "--network-alias", ClusterPlacement.DockerHostName(spec, node),
                 "--mount", $"type=volume,source={name},target={ContainerLayout.VolumeDirectory},volume-label=pgha.test={label}",
                 "-p", $"127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)}:5432", "--entrypoint", "sh", spec.Postgres.Image, "-c", script], ct);
            await DockerCli.RunAsync(["cp", "-", $"{name}:/"], ct, Files(node));
            await DockerCli.RunAsync(["start", name], ct);
        }

        var serve = $"exec setpriv --reuid=postgres --regid=postgres --init-groups {bin}/postgres -D {ContainerLayout.DataDirectory} " +
                    "-c config_file=/etc/postgresql/pgha/postgresql.conf -c hba_file=/etc/postgresql/pgha/pg_hba.conf";
        var asPg = "setpriv --reuid=postgres --regid=postgres --init-groups";
        var prep = $"install -d -o postgres -g postgres -m 0700 {ContainerLayout.VolumeDirectory} {ContainerLayout.DataDirectory}; install -d -o postgres -g postgres /var/run/postgresql; cd /; " +
                   "chown postgres /etc/postgresql/pgha/replication.pgpass; chmod 0600 /etc/postgresql/pgha/replication.pgpass; ";
        await Run(primary, prep + $"{asPg} {bin}/initdb -D {ContainerLayout.DataDirectory} -U postgres --auth-local=peer --auth-host=scram-sha-256 >/dev/null; " + serve);
        var primaryName = $"{label}-{primary.Name}";
        // psql the role and the slots once the server answers.
        var bootstrap = BootstrapSql.ForNode(spec, primary, secrets.ReplicationVerifier);
        while ((await DockerCli.TryAsync(["exec", primaryName, $"{bin}/pg_isready", "-q", "-h", "/var/run/postgresql"], ct)).ExitCode != 0)
        {
            await Task.Delay(100, ct);
        }

        await DockerCli.RunAsync(["exec", "-i", "-u", "postgres", primaryName, $"{bin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-d", "postgres"], ct,
            System.Text.Encoding.UTF8.GetBytes(bootstrap));
        var host = ClusterPlacement.DockerHostName(spec, primary);
        await Task.WhenAll(spec.Replicas.Select(r => Run(r, prep +
            $"{asPg} {bin}/pg_basebackup -D {ContainerLayout.DataDirectory} -d 'host={host} user={spec.Replication.User} passfile=/etc/postgresql/pgha/replication.pgpass' " +
            $"-X stream -S {r.SlotName} -c fast; " +
            $"touch {ContainerLayout.DataDirectory}/standby.signal; chown postgres {ContainerLayout.DataDirectory}/standby.signal; " + serve)));

        // Wait for streaming.
        var want = spec.ReplicaCount.ToString(CultureInfo.InvariantCulture);
        while ((await DockerCli.TryAsync(["exec", "-u", "postgres", primaryName, $"{bin}/psql", "-XAtq", "-h", "/var/run/postgresql", "-d", "postgres", "-c",
                   "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name NOT LIKE 'pg_basebackup%'"], ct)).Stdout.Trim() != want)
        {
            await Task.Delay(50, ct);
        }

        return teardown;
    }
}
