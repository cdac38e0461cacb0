using PgHaInfra.Cli;

namespace PgHaInfra.Core.Tests.Cli;

/// <summary>`pgha VERB --engine docker` is `pgha docker VERB`; `--engine local` is the default; anything else is refused by name.</summary>
public sealed class EngineOptionTests
{
    [Fact]
    public void Docker_routes_an_operating_verb_to_the_docker_branch_and_local_is_dropped()
    {
        Assert.Equal(["docker", "status", "--stack", "prod"], EngineOption.Route(["status", "--engine", "docker", "--stack", "prod"]));
        Assert.Equal(["docker", "switchover", "--to", "pg-2"], EngineOption.Route(["switchover", "--to", "pg-2", "--engine=docker"]));
        Assert.Equal(["status", "--stack", "prod"], EngineOption.Route(["status", "--engine", "local", "--stack", "prod"]));
        Assert.Equal(["status"], EngineOption.Route(["status"]));
    }

    [Fact]
    public async Task An_unknown_engine_or_a_verb_docker_does_not_operate_is_bad_input_naming_what_is_allowed()
    {
        var unknown = await PghaRun.RunAsync("status", "--engine", "k8s");
        Assert.Equal(ExitCodes.InvalidInput, unknown.ExitCode);
        Assert.Contains("--engine = \"k8s\": allowed: local, docker", unknown.Error, StringComparison.Ordinal);

        var verb = await PghaRun.RunAsync("up", "--engine", "docker");
        Assert.Equal(ExitCodes.InvalidInput, verb.ExitCode);
        Assert.Contains("`up` does not operate Docker deployments", verb.Error, StringComparison.Ordinal);

        var alone = await PghaRun.RunAsync("--engine", "docker");
        Assert.Equal(ExitCodes.InvalidInput, alone.ExitCode);
        Assert.DoesNotContain("unexpectedly", alone.Error, StringComparison.Ordinal);
    }
}
