namespace PgHaInfra.Docker;

/// <summary>Which Docker engine `pgha docker` talks to: DOCKER_HOST when set (as the docker CLI reads it), else the local socket.</summary>
public static class DockerEngineAddress
{
    public const string Variable = "DOCKER_HOST";

    public const string LocalSocket = "unix:///var/run/docker.sock";

    public static Uri Resolve(string? dockerHost) =>
        Uri.TryCreate(string.IsNullOrWhiteSpace(dockerHost) ? LocalSocket : dockerHost.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https"
            ? uri
            : throw new DockerOperationException($"{Variable} = \"{dockerHost}\": not a Docker engine address; allowed: unix:///path/to/docker.sock or tcp://host:port");
}
