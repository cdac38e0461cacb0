using System.Text.RegularExpressions;
using PgHaInfra.Spec;

namespace PgHaInfra.Stack;

/// <summary>The <c>backup</c> keys: pgBackRest's repository, retention, compression and where backups are taken.</summary>
public static partial class ClusterSpecReader
{
    // A value that goes on one line of pgbackrest.conf, and a path that is the same from every process's working directory.
    [GeneratedRegex(@"^/[^\s]*$")]
    private static partial Regex AbsolutePathPattern();

    // Docker's own rule for volume names.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex VolumeNamePattern();

    [GeneratedRegex(@"^[^\s]+$")]
    private static partial Regex OneWordPattern();

    private sealed partial class Reader
    {
        private BackupSpec? Backup(ConfigNode? node)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not ConfigMap map)
            {
                Error("backup", node, "must be a mapping", $"a mapping with keys {string.Join(", ", StackKeys.Backup)}");
                return null;
            }

            var fields = Entries(map.Entries, "backup.", StackKeys.Backup);
            var repository = Repository(fields);
            var retention = Section(fields, "backup.retention", StackKeys.BackupRetention);
            var compress = Section(fields, "backup.compress", StackKeys.BackupCompress);
            var type = Enum(compress, "backup.compress.type", required: false, BackupCompression.Default.Type);
            int? level = null;
            if (compress.ContainsKey("backup.compress.level"))
            {
                if (BackupCompression.LevelRange(type) is { } range)
                {
                    level = Int(compress, "backup.compress.level", range.Min, range.Max, 0);
                }
                else
                {
                    Error("backup.compress.level", compress["backup.compress.level"], $"has no meaning with compress.type {type.ToString().ToLowerInvariant()}",
                        "no level, or a compress.type of gz, bz2, lz4 or zst");
                }
            }

            return new BackupSpec(
                repository ?? new BackupRepository(RepositoryKind.Path, Path: "/"),
                Int(retention, "backup.retention.full", 1, BackupSpec.MaxRetention, BackupSpec.DefaultRetentionFull),
                retention.ContainsKey("backup.retention.diff") ? Int(retention, "backup.retention.diff", 1, BackupSpec.MaxRetention, 1) : null,
                new BackupCompression(type, level),
                Bool(fields, "backup.fromStandby", fallback: false),
                Bool(fields, "backup.archiveAsync", fallback: true));
        }

        private BackupRepository? Repository(Dictionary<string, ConfigNode> backup)
        {
            const string Path = "backup.repository";
            const string Allowed = "exactly one of path (an absolute directory), volume (a Docker volume name) or s3 (bucket, endpoint, region, key, keySecret)";
            if (!backup.TryGetValue(Path, out var node))
            {
                Error(Path, null, "is required", Allowed, line: Locations.GetValueOrDefault("backup"));
                return null;
            }

            var fields = Section(backup, Path, StackKeys.BackupRepository);
            var kinds = StackKeys.BackupRepository.Where(k => fields.ContainsKey($"{Path}.{k}")).ToList();
            if (kinds.Count != 1)
            {
                Error(Path, node, kinds.Count == 0 ? "names no repository" : $"names {kinds.Count} repositories ({string.Join(", ", kinds)})", Allowed);
                return null;
            }

            switch (kinds[0])
            {
                case "path":
                    var directory = Scalar(fields, $"{Path}.path");
                    if (directory is not null && !AbsolutePathPattern().IsMatch(directory))
                    {
                        Error($"{Path}.path", fields[$"{Path}.path"], "is not an absolute path without spaces", "an absolute directory such as /var/lib/pgbackrest, writable by the server's OS user");
                    }

                    return new BackupRepository(RepositoryKind.Path, Path: directory);
                case "volume":
                    var volume = Scalar(fields, $"{Path}.volume");
                    if (volume is not null && !VolumeNamePattern().IsMatch(volume))
                    {
                        Error($"{Path}.volume", fields[$"{Path}.volume"], "is not a Docker volume name", "letters, digits, '_', '.' and '-', starting with a letter or digit");
                    }

                    return new BackupRepository(RepositoryKind.Volume, Volume: volume);
                default:
                    return new BackupRepository(RepositoryKind.S3, S3: S3(fields));
            }
        }

        private S3Repository? S3(Dictionary<string, ConfigNode> repository)
        {
            var fields = Section(repository, "backup.repository.s3", StackKeys.BackupS3);
            string Required(string key, string allowed)
            {
                var path = $"backup.repository.s3.{key}";
                var text = Scalar(fields, path);
                if (text is null)
                {
                    Error(path, null, "is required", allowed, line: Locations.GetValueOrDefault("backup.repository.s3"));
                }
                else if (!OneWordPattern().IsMatch(text))
                {
                    // The key and its secret are never echoed back, not even in an error.
                    Errors.Add(new StackError(document.Source, fields[path].Line, Key(path), key.StartsWith("key", StringComparison.Ordinal) ? null : fields[path].Describe(),
                        "contains spaces or line breaks", allowed));
                }

                return text ?? "";
            }

            var s3 = new S3Repository(
                Required("bucket", "the bucket name"),
                Required("endpoint", "the store's host name, such as s3.eu-west-1.amazonaws.com or minio.internal:9000"),
                Required("region", "the bucket's region, such as eu-west-1 (us-east-1 for most self-hosted stores)"),
                Scalar(fields, "backup.repository.s3.path") is { } prefix ? prefix : $"/pgbackrest",
                Required("key", "the access key id"),
                Required("keySecret", "the secret access key"),
                Scalar(fields, "backup.repository.s3.uriStyle") ?? "host",
                Bool(fields, "backup.repository.s3.verifyTls", fallback: true));
            if (s3.UriStyle is not ("host" or "path"))
            {
                Error("backup.repository.s3.uriStyle", fields["backup.repository.s3.uriStyle"], "is not a URI style", "host, path", Spelling.Nearest(s3.UriStyle, ["host", "path"]) is { } n ? $"\"{n}\"" : null);
            }

            if (!AbsolutePathPattern().IsMatch(s3.Path))
            {
                Error("backup.repository.s3.path", fields.GetValueOrDefault("backup.repository.s3.path"), "is not an absolute prefix without spaces", "a prefix inside the bucket such as /pgbackrest");
            }

            return s3;
        }

        private bool Bool(Dictionary<string, ConfigNode> map, string path, bool fallback)
        {
            switch (Scalar(map, path))
            {
                case null:
                    return fallback;
                case "true":
                    return true;
                case "false":
                    return false;
                case var other:
                    Error(path, map[path], "is not true or false", "true, false", Spelling.Nearest(other, ["true", "false"]) is { } n ? $"\"{n}\"" : null);
                    return fallback;
            }
        }
    }
}
