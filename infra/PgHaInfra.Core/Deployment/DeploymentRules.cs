using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;

namespace PgHaInfra.Deployment;

/// <summary>
/// The Docker provider's input rules (kreuzwerker's terraform-provider-docker, which pulumi-docker wraps) for every
/// field the description uses, checked before anything is declared: a broken rule would otherwise surface only in the
/// middle of `pulumi up`, with half the cluster made.
/// </summary>
public static partial class DeploymentRules
{
    /// <summary>The provider's restart values (validation.StringInSlice in resource_docker_container).</summary>
    public static readonly ImmutableArray<string> RestartPolicies = ["no", "on-failure", "always", "unless-stopped"];

    /// <summary>The first word of a health check's test, as Docker reads it.</summary>
    public static readonly ImmutableArray<string> HealthTestKinds = ["CMD", "CMD-SHELL", "NONE"];

    public static readonly ImmutableArray<string> Protocols = ["tcp", "udp", "sctp"];

    public static void Enforce(DockerDeployment deployment)
    {
        var problems = Check(deployment);
        if (!problems.IsEmpty)
        {
            throw new DeploymentRuleException(problems);
        }
    }

    public static ImmutableArray<string> Check(DockerDeployment deployment)
    {
        var problems = ImmutableArray.CreateBuilder<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        var network = deployment.Network;
        Require(DockerName().IsMatch(network.Name), $"network name \"{network.Name}\": Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        Require(network.Driver == "bridge", $"network {network.Name}: driver \"{network.Driver}\"; the aliases need a user-defined bridge");
        Require(IPNetwork.TryParse(network.Subnet, out _), $"network {network.Name}: subnet \"{network.Subnet}\" is not CIDR");
        Require(deployment.Image.Name.Length > 0, "image: name is empty");
        LabelsOk(network.Labels, $"network {network.Name}", Require);
        foreach (var volume in deployment.Volumes)
        {
            Require(DockerName().IsMatch(volume.Name), $"volume name \"{volume.Name}\": Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*");
            LabelsOk(volume.Labels, $"volume {volume.Name}", Require);
        }

        Unique(deployment.Volumes.Select(v => v.Name), "volume name", Require);
        Unique(deployment.Containers.Select(c => c.Name), "container name", Require);
        Unique(deployment.Containers.SelectMany(c => c.Ports).Select(p => $"{p.HostAddress}:{p.External}/{p.Protocol}"), "published port", Require);
        var volumes = deployment.Volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var made = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in deployment.Containers)
        {
            var where = $"container {container.Name}";
            Require(DockerName().IsMatch(container.Name), $"{where}: name: Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*");
            Require(HostLabel().IsMatch(container.Hostname), $"{where}: hostname \"{container.Hostname}\" is not a DNS label");
            Require(container.Image.Length > 0, $"{where}: image is empty");
            Require(!container.Entrypoint.IsDefaultOrEmpty && container.Entrypoint.All(e => e.Length > 0), $"{where}: entrypoint is empty");
            Require(!container.Command.IsDefaultOrEmpty && container.Command.All(e => e.Length > 0), $"{where}: command has an empty word");
            Require(container.Upstream is null || made.Contains(container.Upstream), $"{where}: its upstream {container.Upstream} comes later in creation order");
            made.Add(container.Node);
            foreach (var variable in container.CreateEnvironment)
            {
                Require(EnvName().IsMatch(variable.Name), $"{where}: environment name \"{variable.Name}\" is not NAME");
            }

            foreach (var upload in container.Uploads)
            {
                // "one of 'content', 'content_base64', or 'source' must be set": an empty content counts as unset.
                Require(upload.Content.Text.Length > 0, $"{where}: upload {upload.Path} has empty content, which the provider refuses (one of 'content', 'content_base64', or 'source' must be set)");
                Require(Permissions().IsMatch(upload.Permissions), $"{where}: upload {upload.Path} permissions \"{upload.Permissions}\"; the provider takes 0 and three octal digits, such as 0644");
                Require(upload.Path.StartsWith('/') && !upload.Path.EndsWith('/'), $"{where}: upload path \"{upload.Path}\" must be an absolute file path");
            }

            // The uploads are a set in the provider: two with one path would silently collapse into one.
            Unique(container.Uploads.Select(u => u.Path), $"{where}: upload path", Require);
            LabelsOk(container.Labels, where, Require);
            Require(volumes.Contains(container.Data.Volume), $"{where}: volume {container.Data.Volume} is not declared");
            Require(container.Data.ContainerPath.StartsWith('/'), $"{where}: volume path \"{container.Data.ContainerPath}\" must be absolute");
            Require(container.Network.Network == network.Name, $"{where}: attached to {container.Network.Network}, not the cluster's network {network.Name}");
            Require(container.CreateAliases.All(a => a.Length > 0), $"{where}: an alias is empty");
            Require(container.Bootstrap.Mode is BootstrapDeclaration.InitDb or BootstrapDeclaration.BaseBackup && (container.Bootstrap.Mode == BootstrapDeclaration.InitDb) == (container.Bootstrap.From is null),
                $"{where}: bootstrap \"{container.Bootstrap.Mode}\" must be {BootstrapDeclaration.InitDb} (no upstream) or {BootstrapDeclaration.BaseBackup} from an upstream");
            foreach (var port in container.Ports)
            {
                Require(port.Internal is >= 1 and <= 65535, $"{where}: internal port {port.Internal} is outside 1-65535");
                Require(port.External is >= 1 and <= 65535, $"{where}: external port {port.External} is outside 1-65535");
                Require(Protocols.Contains(port.Protocol), $"{where}: protocol \"{port.Protocol}\"; allowed: {string.Join(", ", Protocols)}");
                Require(IPAddress.TryParse(port.HostAddress, out _), $"{where}: publish address \"{port.HostAddress}\" is not an IP address");
            }

            var health = container.HealthCheck;
            Require(!health.Test.IsDefaultOrEmpty && HealthTestKinds.Contains(health.Test[0]) && (health.Test[0] == "NONE" || health.Test.Length > 1),
                $"{where}: health check test must start with {string.Join(", ", HealthTestKinds)} and name a command");
            foreach (var (field, value) in new[] { ("interval", health.Interval), ("timeout", health.Timeout), ("start_period", health.StartPeriod) })
            {
                // The provider reads durations back in Go's canonical form ("2m0s"); any other spelling is a diff on every preview.
                Require(CanonicalDuration().IsMatch(value), $"{where}: health check {field} \"{value}\" is not a canonical Go duration such as 500ms, 3s or 2m0s");
            }

            Require(health.Retries >= 0, $"{where}: health check retries {health.Retries} is negative");
            Require(RestartPolicies.Contains(container.RestartPolicy), $"{where}: restart \"{container.RestartPolicy}\"; allowed: {string.Join(", ", RestartPolicies)}");
            Require(container.StopSignal.StartsWith("SIG", StringComparison.Ordinal), $"{where}: stop signal \"{container.StopSignal}\" is not a signal name such as SIGINT");
            Require(container.StopGraceSeconds >= 0, $"{where}: stop grace {container.StopGraceSeconds} s is negative");
            Require(container.HealthyWithinSeconds > 0, $"{where}: wait_timeout must be positive");
        }

        return problems.ToImmutable();
    }

    private static void LabelsOk(ImmutableSortedDictionary<string, string> labels, string where, Action<bool, string> require)
    {
        foreach (var (key, value) in labels)
        {
            require(key.Length > 0 && value.Length > 0, $"{where}: label \"{key}\" = \"{value}\": neither may be empty");
        }
    }

    private static void Unique(IEnumerable<string> values, string what, Action<bool, string> require)
    {
        foreach (var twice in values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            require(false, $"{what} \"{twice.Key}\" appears {twice.Count()} times");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex DockerName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostLabel();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    /// <summary>What Go's Duration.String() prints: 0s, 500ms, 3s, 1m0s, 2m30s, 1h0m0s (whole seconds; fractions are not used here).</summary>
    [GeneratedRegex(@"^(0s|[1-9][0-9]{0,2}(ms|us|ns)|([1-9][0-9]*h[0-5]?[0-9]m[0-5]?[0-9]s)|([1-9][0-5]?[0-9]?m[0-5]?[0-9]s)|([1-5]?[0-9]s))$")]
    private static partial Regex CanonicalDuration();

    [GeneratedRegex("^0[0-7]{3}$")]
    private static partial Regex Permissions();
}
