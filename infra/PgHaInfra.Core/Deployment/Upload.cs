namespace PgHaInfra.Deployment;

/// <summary>
/// A file put into the container after it is created and before it starts, as the Docker provider's <c>upload</c>
/// does: owned by root, with <paramref name="Permissions"/> (the provider's <c>permissions</c>, "0" and three octal
/// digits). The start script hands what the server must read to the postgres user.
/// </summary>
public sealed record Upload(string Path, DeploymentValue Content, string Permissions = Upload.Readable)
{
    public const string Readable = "0644";
    public const string Executable = "0755";

    /// <summary>Only root reads it until the start script hands it to postgres (the passfile, the SQL with verifiers).</summary>
    public const string Private = "0600";

    public int Mode => Convert.ToInt32(Permissions, 8);
}
