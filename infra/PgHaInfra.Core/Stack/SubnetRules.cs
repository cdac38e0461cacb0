using System.Net;
using System.Net.Sockets;

namespace PgHaInfra.Stack;

/// <summary>
/// What network.subnet must be: pg_hba.conf admits every address in it (replication included) and Docker gives the
/// containers addresses from it, so it must be written exactly as meant, private, and large enough for the nodes.
/// </summary>
internal static class SubnetRules
{
    private static readonly IPNetwork[] Private =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("fc00::/7"),
    ];

    private const string PrivateList = "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or fc00::/7";

    public static (string Problem, string Allowed)? Problem(string text, IPNetwork network, int nodes)
    {
        // .NET quietly drops host bits (10.89.0.5/24) and reads 010.89.0.0 as octal; the canonical text is what pg_hba.conf gets.
        var canonical = network.ToString();
        if (text != canonical)
        {
            return ($"is not written canonically; it means {canonical}", $"the network in canonical form: {canonical}");
        }

        if (network.PrefixLength == 0 || !Private.Any(p => p.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily && p.PrefixLength <= network.PrefixLength && p.Contains(network.BaseAddress)))
        {
            return ("is not inside a private network; pg_hba.conf admits every address of it", $"a network inside {PrivateList}");
        }

        // Docker keeps the network address and the gateway, and IPv4's broadcast address, for itself.
        var hostBits = (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - network.PrefixLength;
        var reserved = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 3 : 2;
        var usable = hostBits >= 62 ? long.MaxValue : (1L << hostBits) - reserved;
        if (usable < nodes)
        {
            var prefix = LargestPrefixFor(nodes, network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128, reserved);
            var kept = reserved == 3 ? "the network, gateway and broadcast addresses" : "the network and gateway addresses";
            return ($"holds {Math.Max(0, usable)} container address(es), fewer than the {nodes} nodes (Docker keeps {kept})",
                $"a prefix of /{prefix} or shorter");
        }

        return null;
    }

    private static int LargestPrefixFor(int nodes, int bits, int reserved)
    {
        var hostBits = 1;
        while ((1L << hostBits) - reserved < nodes)
        {
            hostBits++;
        }

        return bits - hostBits;
    }
}
