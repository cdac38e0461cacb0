using System.ComponentModel;
using PgHaInfra.Messages;
using PgHaInfra.Stack;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>Checks one stack, or every stack, and reports each mistake with its file, key, value and what is allowed.</summary>
public sealed class ValidateCommand(CliConsoles consoles) : AsyncCommand<ValidateCommand.Settings>
{
    public sealed class Settings : StackSettings
    {
        [CommandOption("--all")]
        [Description("Validate every stack file in the stacks folder.")]
        public bool All { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.All && settings.StackOption is { } named)
        {
            throw new CliException($"--stack = {Shown.Quote(named)} and --all: name one stack, or validate all of them", ExitCodes.InvalidInput);
        }

        var catalog = settings.Catalog();
        var stacks = settings.All ? catalog.Stacks() : [settings.Stack];
        if (stacks.Count == 0)
        {
            throw new CliException($"no stack files (Pulumi.<stack>.yaml) in {catalog.Directory}", ExitCodes.InvalidInput);
        }

        var failed = 0;
        foreach (var stack in stacks)
        {
            try
            {
                var spec = await StackLoader.LoadAsync(catalog, stack, cancellationToken);
                consoles.Out.MarkupLineInterpolated(
                    $"[green]ok[/]      {stack}: {spec.Topology.ToString().ToLowerInvariant()}, {spec.Nodes.Length} node(s), primary {spec.Primary}");
            }
            catch (StackValidationException e)
            {
                failed++;
                consoles.Out.MarkupLineInterpolated($"[red]invalid[/] {Shown.Line(stack)}: {e.Errors.Length} problem(s)");
                foreach (var error in e.Errors)
                {
                    consoles.ErrorLine(error.ToString());
                }
            }
        }

        return failed == 0 ? ExitCodes.Ok : ExitCodes.InvalidInput;
    }
}
