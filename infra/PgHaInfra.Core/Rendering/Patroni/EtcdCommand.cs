using System.Collections.Immutable;
using System.Globalization;
using PgHaInfra.Spec;

namespace PgHaInfra.Rendering.Patroni;

/// <summary>
/// The command line of one etcd member (Debian's etcd-server 3.4): client and peer URLs on the placement's host
/// only, a cluster token per cluster so members of two stacks can never join each other.
/// </summary>
public static class EtcdCommand
{
    public const string Program = "etcd";

    public static ImmutableArray<string> Arguments(ClusterSpec spec, string host, int member, string dataDirectory)
    {
        var dcs = spec.Failover.Patroni?.Dcs ?? throw new ArgumentException($"stack {spec.Stack} is not in patroni mode", nameof(spec));
        string Url(int port) => $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
        var cluster = string.Join(',', Enumerable.Range(0, dcs.Members).Select(i => $"{DcsSpec.MemberName(i)}={Url(dcs.PeerPortOf(i))}"));
        return
        [
            "--name", DcsSpec.MemberName(member),
            "--data-dir", dataDirectory,
            "--listen-client-urls", Url(dcs.ClientPortOf(member)),
            "--advertise-client-urls", Url(dcs.ClientPortOf(member)),
            "--listen-peer-urls", Url(dcs.PeerPortOf(member)),
            "--initial-advertise-peer-urls", Url(dcs.PeerPortOf(member)),
            "--initial-cluster", cluster,
            "--initial-cluster-token", $"pgha-{spec.Name}",
            "--initial-cluster-state", "new",
        ];
    }
}
