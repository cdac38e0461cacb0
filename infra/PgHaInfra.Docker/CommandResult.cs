namespace PgHaInfra.Docker;

/// <summary>What a command run in a container printed and how it exited.</summary>
public sealed record CommandResult(long ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => (Stdout + Stderr).Trim();
}
