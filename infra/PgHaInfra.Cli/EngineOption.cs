namespace PgHaInfra.Cli;

/// <summary>
/// `--engine docker` on an operating verb routes it to `pgha docker VERB`; `--engine local` is the default and is dropped.
/// Any other engine, or a verb the Docker engine does not operate, is bad input, said with what is allowed.
/// </summary>
public static class EngineOption
{
    public static readonly IReadOnlyList<string> DockerVerbs = ["status", "verify", "lag", "switchover", "failover", "rejoin", "drill"];

    public static string[] Route(string[] args)
    {
        var at = Array.FindIndex(args, a => a == "--engine" || a.StartsWith("--engine=", StringComparison.Ordinal));
        if (at < 0 || args.Length == 0)
        {
            return args;
        }

        var inline = args[at].StartsWith("--engine=", StringComparison.Ordinal);
        var engine = inline ? args[at]["--engine=".Length..] : at + 1 < args.Length ? args[at + 1] : "";
        var rest = args.Where((_, i) => i != at && (inline || i != at + 1)).ToArray();
        if (rest.Length == 0 || rest[0].StartsWith('-'))
        {
            throw new CliException($"--engine {engine}: name the verb first, as in `pgha status --engine {engine}`", ExitCodes.InvalidInput);
        }

        return engine switch
        {
            "local" => rest,
            "docker" when DockerVerbs.Contains(rest[0]) => ["docker", .. rest],
            "docker" => throw new CliException($"--engine docker: `{rest[0]}` does not operate Docker deployments; allowed with --engine docker: {string.Join(", ", DockerVerbs)}", ExitCodes.InvalidInput),
            _ => throw new CliException($"--engine = \"{engine}\": allowed: local, docker", ExitCodes.InvalidInput),
        };
    }
}
