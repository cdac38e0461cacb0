using System.Collections.Immutable;

namespace PgHaInfra.Stack;

/// <summary>Every key a stack may set, so that an unknown one is reported with the nearest valid key.</summary>
public static class StackKeys
{
    public static readonly ImmutableArray<string> TopLevel =
    [
        "cluster", "environment", "topology", "primary", "nodes", "postgres", "replication", "wal",
        "synchronous", "network", "endpoints", "lag", "failover", "parameters", "backup", "docker",
    ];

    public static readonly ImmutableArray<string> Node = ["name", "port", "upstream", "delay"];

    public static readonly ImmutableArray<string> Postgres = ["version", "image"];

    public static readonly ImmutableArray<string> Replication = ["user", "superuser"];

    public static readonly ImmutableArray<string> Wal = ["keepSize", "maxSlotKeepSize"];

    public static readonly ImmutableArray<string> Synchronous = ["method", "count", "standbys", "commit"];

    public static readonly ImmutableArray<string> Network = ["name", "subnet"];

    public static readonly ImmutableArray<string> Endpoints = ["write", "read"];

    public static readonly ImmutableArray<string> Lag = ["warningBytes", "criticalBytes", "warningTime", "criticalTime"];

    public static readonly ImmutableArray<string> Failover =
    [
        "mode", "profile", "ttl", "loopWait", "retryTimeout", "maximumLagOnFailover", "synchronousMode", "synchronousModeStrict",
        "watchdog", "dcs", "restPort", "haproxy",
    ];

    public static readonly ImmutableArray<string> FailoverDcs = ["members", "port"];

    public static readonly ImmutableArray<string> FailoverHaproxy = ["writePort", "readPort"];

    public static readonly ImmutableArray<string> Backup = ["repository", "retention", "compress", "fromStandby", "archiveAsync"];

    public static readonly ImmutableArray<string> BackupRepository = ["path", "volume", "s3"];

    public static readonly ImmutableArray<string> BackupS3 = ["bucket", "endpoint", "region", "path", "key", "keySecret", "uriStyle", "verifyTls"];

    public static readonly ImmutableArray<string> BackupRetention = ["full", "diff"];

    public static readonly ImmutableArray<string> BackupCompress = ["type", "level"];

    public static readonly ImmutableArray<string> Docker = ["publishAddress"];
}
