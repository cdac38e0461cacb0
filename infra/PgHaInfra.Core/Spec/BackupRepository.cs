namespace PgHaInfra.Spec;

/// <summary>Which kind of place a pgBackRest repository is.</summary>
public enum RepositoryKind
{
    /// <summary>A directory on the machine (the local engine), repo1-type=posix.</summary>
    Path,

    /// <summary>A Docker volume mounted into every container (the Pulumi program).</summary>
    Volume,

    /// <summary>An S3-compatible object store, repo1-type=s3.</summary>
    S3,
}

/// <summary>The repository: exactly one of a local path, a Docker volume, or an S3 bucket.</summary>
public sealed record BackupRepository(RepositoryKind Kind, string? Path = null, string? Volume = null, S3Repository? S3 = null)
{
    /// <summary>Where the repository lives inside each container when it is a volume.</summary>
    public const string ContainerMount = "/var/lib/pgbackrest";
}

/// <summary>An S3-compatible repository; the keys are passed to pgBackRest as repo1-s3-*.</summary>
/// <param name="Path">The prefix inside the bucket (repo1-path).</param>
/// <param name="UriStyle">host (virtual-hosted) or path (MinIO and most self-hosted stores).</param>
public sealed record S3Repository(string Bucket, string Endpoint, string Region, string Path, string Key, string KeySecret, string UriStyle, bool VerifyTls)
{
    /// <summary>Never prints the key or its secret: records print every member by default, and this one reaches logs.</summary>
    public override string ToString() => $"S3Repository {{ Bucket = {Bucket}, Endpoint = {Endpoint}, Region = {Region}, Path = {Path}, UriStyle = {UriStyle}, VerifyTls = {VerifyTls} }}";
}
