using System.Collections.Immutable;

namespace PgHaInfra.Stack;

/// <summary>Every key a stack may set, so that an unknown one is reported with the nearest valid key.</summary>
public static class StackKeys
{
    public static readonly ImmutableArray<string> TopLevel =
    [
        "cluster", "environment", "topology", "primary", "nodes", "postgres", "replication", "wal",
        "synchronous", "network", "endpoints", "lag", "failover", "parameters", "docker",
    ];

    public static readonly ImmutableArray<string> Node = ["name", "port", "upstream", "delay"];

    public static readonly ImmutableArray<string> Postgres = ["version", "image"];

    public static readonly ImmutableArray<string> Replication = ["user", "superuser"];

    public static readonly ImmutableArray<string> Wal = ["keepSize", "maxSlotKeepSize"];

    public static readonly ImmutableArray<string> Synchronous = ["method", "count", "standbys", "commit"];

    public static readonly ImmutableArray<string> Network = ["name", "subnet"];

    public static readonly ImmutableArray<string> Endpoints = ["write", "read"];

    public static readonly ImmutableArray<string> Lag = ["warningBytes", "criticalBytes", "warningTime", "criticalTime"];

    public static readonly ImmutableArray<string> Failover = ["mode"];

    public static readonly ImmutableArray<string> Docker = ["publishAddress"];
}
