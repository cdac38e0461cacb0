using System.ComponentModel;
using PgHaInfra.Spec;
using PgHaInfra.Stack;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>Options every stack-scoped verb shares.</summary>
public class StackSettings : CommandSettings
{
    /// <summary>The stack when none is named: the embedded default.</summary>
    public const string DefaultStack = "local";

    /// <summary>--stack as given, null when it was not; <see cref="Stack"/> is the stack to act on.</summary>
    [CommandOption("-s|--stack <NAME>")]
    [Description("The stack to act on: stacks/Pulumi.<NAME>.yaml. Defaults to the embedded default, local.")]
    public string? StackOption { get; init; }

    public string Stack => StackOption ?? DefaultStack;

    [CommandOption("--stacks-dir <DIR>")]
    [Description("Where the stack files are. Defaults to the stacks/ folder beside the nearest Pulumi.yaml.")]
    public string? StacksDirectory { get; init; }

    public StackCatalog Catalog() =>
        StacksDirectory is { } dir ? new StackCatalog(Path.GetFullPath(dir)) : StackCatalog.Discover(Directory.GetCurrentDirectory());

    public Task<ClusterSpec> LoadAsync(CancellationToken cancellationToken) => StackLoader.LoadAsync(Catalog(), Stack, cancellationToken);
}
