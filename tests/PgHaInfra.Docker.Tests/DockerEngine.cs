using System.Diagnostics;

namespace PgHaInfra.Docker.Tests;

/// <summary>Whether a Docker engine answers, and which image the tests run (the one scripts/docker-engine builds).</summary>
public static class DockerEngine
{
    public const string ImageVariable = "PGHA_DOCKER_IMAGE";

    /// <summary>Debian bookworm with Debian's postgresql-15, built from Debian's packages by scripts/docker-engine.</summary>
    public const string DefaultImage = "pgha/postgres:15-bookworm-debian";

    public static string Image => Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : DefaultImage;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly Lazy<string?> Missing = new(Probe);

    /// <summary>Null when the tests can run (or must: in CI they never skip).</summary>
    public static string? SkipReason() => InCi ? null : Missing.Value;

    private static string? Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", ["image", "inspect", "--format", "{{.Id}}", Image])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (!process.WaitForExit(15_000))
            {
                process.Kill();
                return "no Docker engine answered within 15 s (start one with scripts/docker-engine start)";
            }

            return process.ExitCode == 0
                ? null
                : $"no Docker engine with the image {Image} (scripts/docker-engine start installs, starts and builds it): {process.StandardError.ReadToEnd().Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"no docker client on PATH ({e.Message}); scripts/docker-engine start installs it";
        }
    }
}
