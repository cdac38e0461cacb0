namespace PgHaInfra.Deployment;

/// <summary>
/// A file put into the container after it is created and before it starts, as the Docker provider's <c>upload</c>
/// does: owned by root, mode 0744 when executable and 0644 otherwise (the provider offers no other modes).
/// </summary>
public sealed record Upload(string Path, DeploymentValue Content, bool Executable = false)
{
    public int Mode => Executable ? 0b111_100_100 : 0b110_100_100;

    public string ModeText => Convert.ToString(Mode, 8).PadLeft(4, '0');
}
