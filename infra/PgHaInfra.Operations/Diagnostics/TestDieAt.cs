using System.Diagnostics;

namespace PgHaInfra.Operations.Diagnostics;

/// <summary>
/// A test hook for the kill matrix: when PGHA_TEST_DIE_AT names a step, pgha SIGKILLs itself there, so a test can
/// interrupt every step of up, switchover, failover and rejoin and prove that the next run converges. Read only here,
/// and called only from the step-reporting paths (the engine's steps and the promotion's <c>StepRecorder</c>).
/// Value: <c>step</c> (die as the step starts) or <c>step+</c> (die right after it finished), optionally
/// <c>@node</c> (only that node's step), for example <c>promote</c>, <c>record-primary</c>, <c>start+@pg-2</c>.
/// </summary>
public static class TestDieAt
{
    public const string Variable = "PGHA_TEST_DIE_AT";

    public static void Check(string step, string? node, bool finished)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } wanted || !Matches(wanted, step, node, finished))
        {
            return;
        }

        Console.Error.WriteLine($"pgha: {Variable}={wanted}: killing myself (SIGKILL) {(finished ? "after" : "at")} step {step}{(node is null ? "" : $" on {node}")}");
        Console.Error.Flush();
        // Process.Kill is SIGKILL on Unix: no finally block, no flush, no lock release by pgha itself.
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    public static bool Matches(string wanted, string step, string? node, bool finished)
    {
        var at = wanted.LastIndexOf('@');
        var wantedNode = at >= 0 ? wanted[(at + 1)..] : null;
        var wantedStep = at >= 0 ? wanted[..at] : wanted;
        var wantsAfter = wantedStep.EndsWith('+');
        wantedStep = wantsAfter ? wantedStep[..^1] : wantedStep;
        return wantsAfter == finished
            && string.Equals(wantedStep, step, StringComparison.Ordinal)
            && (wantedNode is null || (node is not null && node.Split(',').Contains(wantedNode, StringComparer.Ordinal)));
    }
}
