using System.Globalization;
using System.Text;

namespace PgHaInfra.Spec;

/// <summary>The cluster's own network: a Docker network for the Pulumi program. Replication is allowed only from it.</summary>
public sealed record NetworkSpec(string Name, string Subnet)
{
    /// <summary>
    /// Without a network key, each cluster gets its own /24 in 10.89.16.0-10.89.255.0, chosen by its name, so two such
    /// stacks can share a Docker host (Docker refuses overlapping subnets). 10.89.0-15 stay free for explicit choices.
    /// </summary>
    public static NetworkSpec DefaultFor(string cluster) =>
        new($"pgha-{cluster}", $"10.89.{DerivedThirdOctet(cluster).ToString(CultureInfo.InvariantCulture)}.0/24");

    private const int FirstDerived = 16;

    /// <summary>FNV-1a of the name: stable across runs and machines, unlike string.GetHashCode.</summary>
    private static int DerivedThirdOctet(string cluster)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(cluster))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return FirstDerived + (int)(hash % (256 - FirstDerived));
    }
}
