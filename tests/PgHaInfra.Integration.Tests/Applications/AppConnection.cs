using Npgsql;
using PgHaInfra.Examples.ReadWrite;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Endpoints;

namespace PgHaInfra.Integration.Tests.Applications;

/// <summary>The example application's endpoints for a test cluster, as pgha prints them (ClusterEndpoints).</summary>
internal static class AppConnection
{
    /// <summary>
    /// pgha's write and read endpoints. A delayed replica that the read endpoint still lists is left out, as
    /// docs/applications.md tells applications to do: its data is behind by design and must never serve a read.
    /// </summary>
    public static AppEndpoints EndpointsFor(ClusterAccess access)
    {
        var spec = access.Spec;
        var printed = ClusterEndpoints.For(spec, access.Addresses, access.Credentials.Superuser);
        var endpoints = new AppEndpoints(printed.Write, printed.Read);
        var readHosts = new NpgsqlConnectionStringBuilder(endpoints.Read).Host!.Split(',');
        var delayed = spec.Nodes.Where(n => n.IsDelayed).Select(n => HostPort(access, n.Name)).Where(readHosts.Contains).ToList();
        return delayed.Count > 0 ? endpoints.Without(delayed) : endpoints;
    }

    public static string HostPort(ClusterAccess access, string node) => $"{access.AddressOf(node).Host}:{access.AddressOf(node).Port}";

    public static RoutedDatabase Open(ClusterAccess access, RoutingOptions? options = null) =>
        RoutedDatabase.Open(EndpointsFor(access), access.Credentials.SuperuserPassword, options);
}
