using System.ComponentModel;
using PgHaInfra.Docker;
using PgHaInfra.Local;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Docker;

/// <summary>
/// Options of the verbs that operate a stack deployed on Docker (`pgha docker VERB`, or `pgha VERB --engine docker`):
/// the engine comes from DOCKER_HOST (else the local socket), the containers from their pgha labels, the credentials
/// from the passfiles the deployment uploaded into them, and pgha's record of the primary from the state directory.
/// </summary>
public class DockerStackSettings : StackSettings
{
    [CommandOption("--state-dir <DIR>")]
    [Description("Where pgha records the primary after a switchover or failover. Default: PGHA_STATE_DIR/<stack>, else /var/lib/pgha/<stack> as root.")]
    public string? StateDirectory { get; init; }

    [CommandOption("--docker-host <URI>")]
    [Description("The Docker engine the stack runs on. Default: DOCKER_HOST, else unix:///var/run/docker.sock.")]
    public string? DockerHost { get; init; }

    public async Task<DockerCluster> OpenAsync(CancellationToken cancellationToken)
    {
        var spec = await LoadAsync(cancellationToken);
        try
        {
            var address = DockerEngineAddress.Resolve(DockerHost ?? Environment.GetEnvironmentVariable(DockerEngineAddress.Variable));
            return await DockerCluster.OpenAsync(spec, StateLayout.For(spec.Stack, StateDirectory).Root, address, cancellationToken);
        }
        catch (DockerOperationException e)
        {
            throw new CliException(e.Message);
        }
    }
}
