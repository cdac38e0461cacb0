using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PgHaInfra.Parameters;
using PgHaInfra.Spec;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>
/// The one loader from a stack's configuration to a <see cref="ClusterSpec"/>. It reports every mistake it finds,
/// each naming the source, the key, the value and what is allowed, and returns a spec only when there are none.
/// </summary>
public static partial class ClusterSpecReader
{
    public const int MaxReplicas = 16;

    /// <summary>The key of an error about the stack's name (the file name's middle, or Pulumi's stack).</summary>
    public const string StackKey = "(stack)";

    public static ClusterSpec Read(StackDocument document)
    {
        var (spec, errors) = TryRead(document);
        return spec ?? throw new StackValidationException(errors);
    }

    public static (ClusterSpec? Spec, ImmutableArray<StackError> Errors) TryRead(StackDocument document)
    {
        // A file that could not be read or parsed has no keys to judge; "topology is required" would only be noise.
        if (document.Errors.Any(e => e.Key is YamlStackFile.FileKey or YamlStackFile.YamlKey))
        {
            return (null, document.Errors);
        }

        var reader = new Reader(document);
        if (!StackName.IsValid(document.Stack))
        {
            reader.Errors.Add(new StackError(document.Source, null, StackKey, Shown.Quote(document.Stack), "is not a stack name", StackName.Allowed));
        }

        var spec = reader.Read();
        if (spec is not null && reader.Errors.Count == 0)
        {
            spec = WithDefaultStandbys(spec);
            TopologyRules.Check(spec, reader.Locations, reader.Errors);
            ParameterGuard.Check(spec, reader.Locations, reader.Errors);
            BackupRules.Check(spec, reader.Locations, reader.Errors);
            PatroniRules.Check(spec, reader.Locations, reader.Errors);
        }

        // In file order, so a long list reads top to bottom; errors without a line (missing keys) come last.
        var errors = document.Errors.AddRange(reader.Errors)
            .Select((e, i) => (Error: e, Index: i))
            .OrderBy(x => x.Error.Line ?? int.MaxValue).ThenBy(x => x.Index)
            .Select(x => x.Error)
            .ToImmutableArray();
        return errors.IsEmpty ? (spec, errors) : (null, errors);
    }

    /// <summary>Without an explicit list, every direct replica without a delay is a synchronous candidate.</summary>
    private static ClusterSpec WithDefaultStandbys(ClusterSpec spec)
    {
        var resolvable = spec.HasNode(spec.Primary) && spec.Nodes.All(n => n.Upstream is null || spec.HasNode(n.Upstream));
        if (spec.Synchronous is not { Standbys.IsDefaultOrEmpty: true } sync || !resolvable)
        {
            return spec;
        }

        var direct = spec.Nodes.Where(n => !spec.IsPrimary(n) && (n.Upstream is null || n.Upstream == spec.Primary) && !n.IsDelayed);
        return spec with { Synchronous = sync with { Standbys = [.. direct.Select(n => n.Name)] } };
    }

    // Every pattern ends in \z, not $: in .NET, $ also matches before a final newline, which would let "pg-1\n" through
    // into postgresql.conf, pg_hba.conf and bootstrap.sql.

    // A DNS label: it becomes a host alias (pg-2.prod.pgha.internal), so it cannot end with '-'.
    [GeneratedRegex(@"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?\z")]
    internal static partial Regex NamePattern();

    [GeneratedRegex(@"^(?=.{1,253}\z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\z")]
    private static partial Regex DnsNamePattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]{0,62}\z")]
    private static partial Regex RoleNamePattern();

    private const string NameAllowed = "a lowercase DNS label: a letter, then letters, digits or '-', not ending with '-', at most 40 characters";

    private const string RoleAllowed = "a lowercase identifier: a letter or '_', then letters, digits or '_'";

    /// <summary>[registry[:port]/]name[/name...][:tag][@sha256:digest], Docker's reference grammar in short.</summary>
    [GeneratedRegex(@"^([a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?\z")]
    private static partial Regex ImagePattern();

    /// <summary>The major version an image's tag names (postgres:16-bookworm, postgis/postgis:15-3.4), or null (latest, alpine, a digest).</summary>
    internal static int? ImageMajor(string image)
    {
        var name = image.Split('@')[0];
        var colon = name.LastIndexOf(':');
        if (colon < 0 || colon < name.LastIndexOf('/'))
        {
            return null;
        }

        var digits = new string([.. name[(colon + 1)..].TakeWhile(char.IsAsciiDigit)]);
        return digits.Length is > 0 and < 4 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    private const string ControlAllowed = "printable text on one line: no newline, tab, escape or other control character";

    private sealed partial class Reader(StackDocument document)
    {
        public List<StackError> Errors { get; } = [];

        /// <summary>Line of each key path, so that later rules can point at the right line.</summary>
        public Dictionary<string, int?> Locations { get; } = new(StringComparer.Ordinal);

        private static string Key(string path) => $"{StackDocument.Namespace}:{path}";

        /// <summary>Keys already reported: one mistake per key, so a value with a newline is not also "not a valid name".</summary>
        private readonly HashSet<string> reported = new(StringComparer.Ordinal);

        private void Error(string path, ConfigNode? node, string problem, string? allowed = null, string? suggestion = null, int? line = null)
        {
            if (reported.Add(path))
            {
                Errors.Add(new StackError(document.Source, node?.Line ?? Locations.GetValueOrDefault(path) ?? line, Key(path), node?.Describe(), problem, allowed, suggestion));
            }
        }

        public ClusterSpec? Read()
        {
            var top = Entries(document.Entries, "", StackKeys.TopLevel);

            var topology = Enum(top, "topology", required: true, Topology.Async);
            var postgres = Section(top, "postgres", StackKeys.Postgres);
            var version = Int(postgres, "postgres.version", PostgresParameters.Majors.Min(), PostgresParameters.Majors.Max(), PostgresSpec.Default.Version);
            var catalog = PostgresParameters.For(version);
            var nodes = Nodes(top.GetValueOrDefault("nodes"), catalog);
            var cluster = Name(top, "cluster", document.Stack);
            var primary = Scalar(top, "primary") ?? nodes.FirstOrDefault()?.Name ?? "";

            var replication = Section(top, "replication", StackKeys.Replication);
            var wal = Section(top, "wal", StackKeys.Wal);
            var network = Section(top, "network", StackKeys.Network);
            var endpoints = Section(top, "endpoints", StackKeys.Endpoints);
            var lag = Section(top, "lag", StackKeys.Lag);
            var failover = Section(top, "failover", StackKeys.Failover);
            var docker = Section(top, "docker", StackKeys.Docker);

            var spec = new ClusterSpec
            {
                Stack = document.Stack,
                Source = document.Source,
                Name = cluster,
                Environment = Enum(top, "environment", required: false, DeploymentEnvironment.Development),
                Topology = topology,
                Nodes = nodes,
                Primary = primary,
                Postgres = new PostgresSpec(version, Image(postgres, "postgres.image", version)),
                Replication = Replication(replication),
                Wal = new WalSpec(
                    Rendered(wal, "wal.keepSize", Size(wal, "wal.keepSize"), catalog, "wal_keep_size", s => s.ToPostgres()) ?? WalSpec.Default.KeepSize,
                    Rendered(wal, "wal.maxSlotKeepSize", SizeOrUnlimited(wal, "wal.maxSlotKeepSize", WalSpec.Default.MaxSlotKeepSize), catalog, "max_slot_wal_keep_size", s => s.ToPostgres())),
                Synchronous = Synchronous(top.GetValueOrDefault("synchronous")),
                Network = new NetworkSpec(
                    Name(network, "network.name", NetworkSpec.DefaultFor(cluster).Name),
                    Subnet(network, "network.subnet", nodes.Length) ?? NetworkSpec.DefaultFor(cluster).Subnet),
                Endpoints = new EndpointNames(
                    Dns(endpoints, "endpoints.write") ?? $"pg-write.{cluster}.pgha.internal",
                    Dns(endpoints, "endpoints.read") ?? $"pg-read.{cluster}.pgha.internal"),
                Lag = new LagThresholds(
                    Size(lag, "lag.warningBytes") ?? LagThresholds.Default.WarningBytes,
                    Size(lag, "lag.criticalBytes") ?? LagThresholds.Default.CriticalBytes,
                    Duration(lag, "lag.warningTime") ?? LagThresholds.Default.WarningTime,
                    Duration(lag, "lag.criticalTime") ?? LagThresholds.Default.CriticalTime),
                Failover = Failover(failover, top, nodes),
                Docker = new DockerSpec(Address(docker, "docker.publishAddress") ?? DockerSpec.Default.PublishAddress),
                Parameters = Parameters(top.GetValueOrDefault("parameters")),
                Backup = Backup(top.GetValueOrDefault("backup")),
            };

            return Errors.Count == 0 ? spec : null;
        }

        /// <summary>A mapping's entries by key, reporting unknown and repeated keys with the nearest valid one.</summary>
        private Dictionary<string, ConfigNode> Entries(IEnumerable<ConfigEntry> entries, string prefix, ImmutableArray<string> known)
        {
            var result = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var path = prefix + entry.Key;
                Locations[path] = entry.Line ?? entry.Value.Line;
                if (!known.Contains(entry.Key))
                {
                    Errors.Add(new StackError(document.Source, entry.Line, Key(path), null, "is not a known key",
                        string.Join(", ", known), Spelling.Nearest(entry.Key, known) is { } near ? Key(prefix + near) : null));
                }
                else if (!result.TryAdd(path, entry.Value))
                {
                    Errors.Add(new StackError(document.Source, entry.Line, Key(path), null, "is set twice", "one value per key"));
                }
            }

            return result;
        }

        private Dictionary<string, ConfigNode> Section(Dictionary<string, ConfigNode> top, string name, ImmutableArray<string> known)
        {
            switch (top.GetValueOrDefault(name))
            {
                case null:
                    return [];
                case ConfigMap map:
                    return Entries(map.Entries, name + ".", known);
                case var other:
                    Error(name, other, "must be a mapping", $"a mapping with keys {string.Join(", ", known)}");
                    return [];
            }
        }

        private string? Scalar(Dictionary<string, ConfigNode> map, string path)
        {
            switch (map.GetValueOrDefault(path))
            {
                case null:
                    return null;
                case ConfigScalar scalar:
                    if (Shown.HasControl(scalar.Text))
                    {
                        // Every value may reach a rendered file, one setting or row per line; a control character could end it early.
                        Error(path, scalar, $"contains a control character ({Shown.FirstControl(scalar.Text)})", ControlAllowed);
                    }

                    return scalar.Text;
                case var other:
                    Error(path, other, "must be a single value, not " + other.Describe());
                    return null;
            }
        }

        /// <summary>
        /// A value that pgha renders into postgresql.conf, checked against the target major's own definition of that
        /// setting (its range), so that a value PostgreSQL refuses at start is refused here, naming the key that made it.
        /// </summary>
        private T? Rendered<T>(Dictionary<string, ConfigNode> map, string path, T? value, ParameterCatalog catalog, string parameter, Func<T, string> render)
            where T : struct
        {
            if (value is { } v && catalog.Find(parameter) is { } definition && ParameterValue.Check(definition, render(v)) is { } problem)
            {
                Error(path, map.GetValueOrDefault(path), $"{problem.Problem} for {parameter}, which it sets", $"{problem.Allowed} (PostgreSQL {catalog.Major})");
            }

            return value;
        }

        private T Enum<T>(Dictionary<string, ConfigNode> map, string path, bool required, T fallback)
            where T : struct, System.Enum
        {
            var names = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
            var text = Scalar(map, path);
            if (text is null)
            {
                if (required)
                {
                    Error(path, null, "is required", string.Join(", ", names));
                }

                return fallback;
            }

            if (names.Contains(text) && System.Enum.TryParse<T>(text, ignoreCase: true, out var value))
            {
                return value;
            }

            Error(path, map[path], $"is not a valid {path.Split('.')[^1]}", string.Join(", ", names), Spelling.Nearest(text, names) is { } n ? $"\"{n}\"" : null);
            return fallback;
        }

        private string Name(Dictionary<string, ConfigNode> map, string path, string fallback)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return fallback;
            }

            if (!NamePattern().IsMatch(text))
            {
                Error(path, map[path], "is not a valid name", NameAllowed);
            }

            return text;
        }

        private string Role(Dictionary<string, ConfigNode> map, string path, string fallback)
        {
            var text = Scalar(map, path) ?? fallback;
            if (!RoleNamePattern().IsMatch(text))
            {
                Error(path, map.GetValueOrDefault(path), "is not a valid role name", RoleAllowed);
            }
            else if (RoleNames.Reserved(text) is { } why)
            {
                Error(path, map.GetValueOrDefault(path), $"is a reserved role name: {why}", RoleAllowed + ", not reserved (" + RoleNames.ReservedList + ")");
            }

            return text;
        }

        private ReplicationSpec Replication(Dictionary<string, ConfigNode> map)
        {
            var user = Role(map, "replication.user", ReplicationSpec.Default.User);
            var superuser = Role(map, "replication.superuser", ReplicationSpec.Default.Superuser);
            if (user == superuser)
            {
                // bootstrap.sql makes the replication role NOSUPERUSER: with one name, it would demote the superuser.
                Error("replication.user", map.GetValueOrDefault("replication.user") ?? new ConfigScalar(user), "is the superuser's name; bootstrap.sql would strip that role of SUPERUSER",
                    "a role other than replication.superuser", line: Locations.GetValueOrDefault("replication.superuser"));
            }

            return new ReplicationSpec(user, superuser);
        }

        /// <summary>The image; by default the official one of <paramref name="version"/>, so the two agree unless set apart.</summary>
        private string Image(Dictionary<string, ConfigNode> map, string path, int version)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return PostgresSpec.DefaultImage(version);
            }

            if (!ImagePattern().IsMatch(text))
            {
                Error(path, map[path], "is not a container image reference", "registry/name:tag or name@sha256:digest, e.g. postgres:15-bookworm");
            }
            else if (ImageMajor(text) is { } major && major != version)
            {
                Error(path, map[path], $"runs PostgreSQL {major} (its tag says so), but postgres.version is {version}",
                    $"an image whose tag starts with {version} (e.g. {PostgresSpec.DefaultImage(version)}), or postgres.version: {major}");
            }

            return text;
        }

        private string? Dns(Dictionary<string, ConfigNode> map, string path)
        {
            var text = Scalar(map, path);
            if (text is not null && !DnsNamePattern().IsMatch(text))
            {
                Error(path, map[path], "is not a valid DNS name", "lowercase labels of letters, digits and '-', separated by dots");
            }

            return text;
        }

        private int Int(Dictionary<string, ConfigNode> map, string path, int min, int max, int fallback)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            Error(path, map[path], "is out of range or not a whole number", $"a whole number from {min} to {max}");
            return fallback;
        }

        private ByteSize? Size(Dictionary<string, ConfigNode> map, string path)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return null;
            }

            if (ByteSize.TryParse(text, out var size))
            {
                return size;
            }

            Error(path, map[path], "is not a size", ByteSize.Allowed);
            return null;
        }

        private ByteSize? SizeOrUnlimited(Dictionary<string, ConfigNode> map, string path, ByteSize? fallback)
        {
            var text = Scalar(map, path);
            return text switch
            {
                null => fallback,
                "unlimited" or "-1" => null,
                _ when ByteSize.TryParse(text, out var size) => size,
                _ => ReportSize(),
            };

            ByteSize? ReportSize()
            {
                Error(path, map[path], "is not a size", ByteSize.Allowed + ", or unlimited");
                return fallback;
            }
        }

        private TimeSpan? Duration(Dictionary<string, ConfigNode> map, string path)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return null;
            }

            if (DurationText.TryParse(text, out var duration))
            {
                return duration;
            }

            Error(path, map[path], "is not a duration", DurationText.Allowed);
            return null;
        }

        private string? Subnet(Dictionary<string, ConfigNode> map, string path, int nodes)
        {
            var text = Scalar(map, path);
            if (text is null)
            {
                return null;
            }

            if (!IPNetwork.TryParse(text, out var network))
            {
                Error(path, map[path], "is not a network in CIDR notation", "an IPv4 or IPv6 network such as 10.89.0.0/24");
            }
            else if (SubnetRules.Problem(text, network, nodes) is { } problem)
            {
                Error(path, map[path], problem.Problem, problem.Allowed);
            }

            return text;
        }

        private string? Address(Dictionary<string, ConfigNode> map, string path)
        {
            var text = Scalar(map, path);
            if (text is not null && !IPAddress.TryParse(text, out _))
            {
                Error(path, map[path], "is not an IP address", "an IPv4 or IPv6 address of the Docker host, such as 127.0.0.1 (the default) or 0.0.0.0 for every interface");
            }

            return text;
        }

        private ImmutableArray<NodeSpec> Nodes(ConfigNode? node, ParameterCatalog catalog)
        {
            if (node is not ConfigList list)
            {
                Error("nodes", node, node is null ? "is required" : "must be a list of nodes", "a list of nodes, each with name and port (and optionally upstream, delay)");
                return [];
            }

            var nodes = ImmutableArray.CreateBuilder<NodeSpec>();
            for (var i = 0; i < list.Items.Length; i++)
            {
                var prefix = $"nodes[{i}]";
                if (list.Items[i] is not ConfigMap item)
                {
                    Error(prefix, list.Items[i], "must be a mapping", "name, port, upstream, delay");
                    continue;
                }

                var fields = Entries(item.Entries, prefix + ".", StackKeys.Node);
                var name = Scalar(fields, $"{prefix}.name");
                if (name is null)
                {
                    Error($"{prefix}.name", null, "is required", NameAllowed, line: item.Line);
                }
                else if (!NamePattern().IsMatch(name))
                {
                    Error($"{prefix}.name", fields[$"{prefix}.name"], "is not a valid node name", NameAllowed);
                }

                var portPath = $"{prefix}.port";
                if (!fields.ContainsKey(portPath))
                {
                    Error(portPath, null, "is required", "a TCP port from 1024 to 65535", line: item.Line);
                }

                var port = Int(fields, portPath, 1024, 65535, 0);
                var upstream = Scalar(fields, $"{prefix}.upstream");
                var delay = Rendered(fields, $"{prefix}.delay", Duration(fields, $"{prefix}.delay"), catalog, "recovery_min_apply_delay", DurationText.ToPostgres);
                nodes.Add(new NodeSpec(name ?? "", port, upstream, delay));
            }

            return nodes.ToImmutable();
        }

        private SynchronousSpec? Synchronous(ConfigNode? node)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not ConfigMap map)
            {
                Error("synchronous", node, "must be a mapping", string.Join(", ", StackKeys.Synchronous));
                return null;
            }

            var fields = Entries(map.Entries, "synchronous.", StackKeys.Synchronous);
            var method = Enum(fields, "synchronous.method", required: false, SyncMethod.Any);
            var count = Int(fields, "synchronous.count", 1, MaxReplicas, 1);
            var commit = Scalar(fields, "synchronous.commit") ?? "on";
            if (!SynchronousSpec.CommitLevels.Contains(commit))
            {
                Error("synchronous.commit", fields["synchronous.commit"], "is not a synchronous_commit level that waits for a standby",
                    string.Join(", ", SynchronousSpec.CommitLevels), Spelling.Nearest(commit, SynchronousSpec.CommitLevels));
            }

            ImmutableArray<string> standbys = [];
            switch (fields.GetValueOrDefault("synchronous.standbys"))
            {
                case null:
                    break;
                case ConfigList list when list.Items.All(i => i is ConfigScalar):
                    standbys = [.. list.Items.Cast<ConfigScalar>().Select(s => s.Text)];
                    break;
                case var other:
                    Error("synchronous.standbys", other, "must be a list of node names", "for example [pg-2, pg-3]");
                    break;
            }

            return new SynchronousSpec(method, count, standbys, commit);
        }

        private ImmutableSortedDictionary<string, string> Parameters(ConfigNode? node)
        {
            var parameters = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            switch (node)
            {
                case null:
                    break;
                case ConfigMap map:
                    foreach (var entry in map.Entries)
                    {
                        var path = $"parameters.{entry.Key}";
                        Locations[path] = entry.Line;
                        if (entry.Value is not ConfigScalar scalar)
                        {
                            Error(path, entry.Value, "must be a single value", "a PostgreSQL parameter value such as 256MB, on, or 200");
                        }
                        else if (!parameters.TryAdd(entry.Key, scalar.Text))
                        {
                            Error(path, scalar, "is set twice", "one value per parameter");
                        }
                    }

                    break;
                default:
                    Error("parameters", node, "must be a mapping of PostgreSQL parameter names to values", "for example shared_buffers: 256MB");
                    break;
            }

            return parameters.ToImmutable();
        }
    }
}
