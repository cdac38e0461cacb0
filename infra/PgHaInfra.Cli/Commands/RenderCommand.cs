using System.ComponentModel;
using PgHaInfra.Deployment;
using PgHaInfra.Messages;
using PgHaInfra.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>
/// Prints or writes each node's rendered files. Reviewers diff this output in pull requests, so it is plain text
/// in a fixed order, with no colour, timestamps or secrets.
/// </summary>
public sealed class RenderCommand(CliConsoles consoles) : AsyncCommand<RenderCommand.Settings>
{
    public sealed class Settings : StackSettings
    {
        [CommandOption("-n|--node <NODE>")]
        [Description("Render only this node.")]
        public string? Node { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Write DIR/<node>/<file> instead of printing.")]
        public string? Out { get; init; }

        [CommandOption("-t|--target <TARGET>")]
        [Description("docker (the Pulumi program: nodes reach each other by DNS name on the cluster network) or local (loopback, as `pgha up` runs it).")]
        [DefaultValue("docker")]
        public string Target { get; init; } = "docker";

        [CommandOption("--deployment")]
        [Description("Print the Docker deployment instead: every network, volume and container `pulumi up` declares, field by field, with every secret redacted. With --out: DIR/deployment.txt.")]
        public bool Deployment { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = await settings.LoadAsync(cancellationToken);
        var placement = settings.Target switch
        {
            "docker" => ClusterPlacement.DockerNetwork(spec),
            // With a local cluster of this stack present, its real state paths; otherwise placeholders.
            "local" => PgHaInfra.Local.LocalPlacement.Of(spec, PgHaInfra.Local.StateLayout.For(spec.Stack) is { Exists: true } layout ? layout : new PgHaInfra.Local.StateLayout("<state>")),
            _ => throw new CliException($"--target = {Shown.Quote(settings.Target)}: unknown target. Allowed: docker, local", ExitCodes.InvalidInput),
        };
        if (settings.Node is { } name && !spec.HasNode(name))
        {
            throw new CliException($"--node = {Shown.Quote(name)}: stack {spec.Stack} has no such node. Allowed: {string.Join(", ", spec.Nodes.Select(n => n.Name))}", ExitCodes.InvalidInput);
        }

        if (settings.Out is { } outDirectory && File.Exists(outDirectory))
        {
            throw new CliException($"--out = {Shown.Quote(outDirectory)}: is a file. Allowed: a folder, which is created if missing", ExitCodes.InvalidInput);
        }

        if (settings.Deployment)
        {
            var text = DeploymentText.Render(DockerDeployment.Build(spec, DeploymentSecrets.Placeholders));
            if (settings.Out is { } dir)
            {
                var path = Path.Combine(dir, "deployment.txt");
                Directory.CreateDirectory(dir);
                await File.WriteAllTextAsync(path, text, cancellationToken);
                consoles.ErrorLine($"wrote {path}");
            }
            else
            {
                consoles.Out.Profile.Out.Writer.Write(text);
            }

            return ExitCodes.Ok;
        }

        var nodes = PgBackRestFiles.WithNodeConfs(spec, placement, PatroniFiles.WithPatroni(spec, settings.Target, NodeFiles.RenderCluster(spec, placement, BootstrapSql.VerifierPlaceholder), consoles))
            .Where(n => settings.Node is null || n.Node.Name == settings.Node);
        foreach (var node in nodes)
        {
            foreach (var file in node.Files)
            {
                await ShowAsync(settings, node.Node.Name, file, cancellationToken);
            }
        }

        // pgha's own backups, restores and listings read a file of their own (pg1 the primary); not one node's.
        if (settings.Node is null && PgBackRestFiles.ForRunner(spec, placement) is { } runner)
        {
            await ShowAsync(settings, BackupPlacement.RunnerDirectory, runner, cancellationToken);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Prints <paramref name="file"/> under its heading, or writes it to --out/<paramref name="folder"/>/.</summary>
    private async Task ShowAsync(Settings settings, string folder, RenderedFile file, CancellationToken cancellationToken)
    {
        if (settings.Out is { } outDir)
        {
            var path = Path.Combine(outDir, folder, file.Name);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, file.Content, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"--out = {Shown.Quote(outDir)}: cannot write {Shown.Quote(path)}: {e.Message}");
            }

            consoles.ErrorLine($"wrote {path}");
        }
        else
        {
            consoles.Out.Profile.Out.Writer.Write($"==> {folder}/{file.Name} <==\n{(file.Content.Length == 0 ? "(empty: its presence is what counts)\n" : file.Content)}\n");
        }
    }
}
