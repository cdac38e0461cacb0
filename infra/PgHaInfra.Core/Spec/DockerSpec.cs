namespace PgHaInfra.Spec;

/// <summary>What only a Docker deployment needs from the stack.</summary>
/// <param name="PublishAddress">The host address every node's port is published on, and so where the post-deploy check connects.</param>
public sealed record DockerSpec(string PublishAddress)
{
    public const string Loopback = "127.0.0.1";

    public static readonly DockerSpec Default = new(Loopback);

    /// <summary>Where the host reaches the published ports: a port published on every interface is on loopback too.</summary>
    public string CheckHost => PublishAddress is "0.0.0.0" or "::" ? Loopback : PublishAddress;
}
