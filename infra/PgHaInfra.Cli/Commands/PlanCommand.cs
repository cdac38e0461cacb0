using System.ComponentModel;
using PgHaInfra.Local;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands;

/// <summary>
/// Shows what `up` would do, changing nothing: the local counterpart of `pulumi preview --diff`. + creates,
/// - removes, ~ changes in place (reload), +- replaces (rebuild), &lt;&gt; rejoins a fenced node, ! needs a restart.
/// </summary>
public sealed class PlanCommand(CliConsoles consoles) : AsyncCommand<PlanCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--allow-restart")]
        [Description("Plan as `up --allow-restart` would: restarts that are needed are planned, not only reported.")]
        public bool AllowRestart { get; init; }

        [CommandOption("--rebuild <NODES>")]
        [Description("Plan as `up --rebuild NODES` would: these nodes' data directories deleted and made again.")]
        public string? Rebuild { get; init; }

        [CommandOption("--allow-reclone")]
        [Description("Plan as `up --allow-reclone` would: a fenced node that cannot be rewound may be re-cloned.")]
        public bool AllowReclone { get; init; }

        [CommandOption("--json")]
        [Description("Print the plan as JSON.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await settings.OpenAsync(cancellationToken);
        if (cluster.StackSpec.Failover.IsPatroni)
        {
            return await Patroni.PatroniVerbs.PlanAsync(consoles, cluster, settings.Json, cancellationToken);
        }

        LocalPlan plan;
        try
        {
            plan = await LocalEngine.PlanAsync(cluster, settings.AllowRestart, Consent(cluster.StackSpec, settings), cancellationToken);
        }
        catch (LocalEngineException e)
        {
            throw new CliException($"plan failed: {e.Message}");
        }

        if (settings.Json)
        {
            Views.WriteJson(consoles.Out, new
            {
                stack = plan.Stack,
                primary = plan.Primary,
                converged = plan.IsEmpty,
                problems = plan.Problems,
                notes = plan.Notes,
                destructive = plan.Destructive.Select(a => new { node = a.Node, kind = a.Kind, reason = a.Reason }),
                actions = plan.Actions.Select(a => new
                {
                    node = a.Node,
                    kind = a.Kind,
                    reason = a.Reason,
                    slot = a switch { CreateSlot c => c.Slot, DropSlot d => d.Slot, _ => null },
                    changes = Changes(a).Select(c => new { name = c.Name, old = c.Old, @new = c.New, context = c.Context, needsRestart = c.NeedsRestart }),
                }),
            });
            return ExitCodes.Ok;
        }

        var w = consoles.Out.Profile.Out.Writer;
        w.Write($"Plan for stack {plan.Stack} (primary {plan.Primary}), state in {cluster.Layout.Root}:\n");
        foreach (var action in plan.Actions)
        {
            var sign = action switch
            {
                CreateNode { Rebuild: true } => "+-",
                RejoinNode => "<>",
                CreateNode => "+ ",
                RemoveNode => "- ",
                CreateSlot => "+ ",
                DropSlot => "- ",
                RestartNode => "! ",
                FinishPromotion => "^ ",
                _ => "~ ",
            };
            var target = action switch
            {
                CreateSlot c => $"{action.Node} slot {c.Slot}",
                DropSlot d => $"{action.Node} slot {d.Slot}",
                _ => action.Node,
            };
            w.Write($"  {sign} {target,-18} {action.Kind,-15} {action.Reason}\n");
            foreach (var change in Changes(action))
            {
                var how = change.Context is null ? "" : change.NeedsRestart ? $"  ({change.Context}: restart)" : $"  ({change.Context}: reload)";
                w.Write($"        ~ {change.Name}: {change.Old ?? "(not set)"} => {change.New ?? "(removed: default)"}{how}\n");
            }
        }

        foreach (var problem in plan.Problems)
        {
            w.Write($"  ! problem: {problem}\n");
        }

        foreach (var note in plan.Notes)
        {
            w.Write($"    note: {note}\n");
        }

        foreach (var destructive in plan.Destructive)
        {
            w.Write($"  destructive: {destructive.Node} {destructive.Kind}: its data directory is deleted ({destructive.Reason})\n");
        }

        var counts = plan.Actions.GroupBy(a => a.Kind).Select(g => $"{g.Count()} {g.Key}");
        w.Write(plan.IsEmpty
            ? "No changes. The local cluster matches the stack.\n"
            : $"Resources: {string.Join(", ", counts)}{(plan.Problems.IsEmpty ? "" : $", {plan.Problems.Length} problem(s)")}\n");
        return ExitCodes.Ok;
    }

    private static UpConsent Consent(Spec.ClusterSpec spec, Settings settings) => LocalStackSettings.Consent(spec, adopt: false, settings.Rebuild, settings.AllowReclone);

    private static System.Collections.Immutable.ImmutableArray<SettingChange> Changes(PlanAction action) => action switch
    {
        StartNode s => s.Changes,
        ReloadNode r => r.Changes,
        RestartNode r => r.Changes,
        _ => [],
    };
}
