using System.Collections.Immutable;
using PgHaInfra.Operations.Access;
using PgHaInfra.Operations.Verification;
using PgHaInfra.Rendering;
using PgHaInfra.Spec;
using Pulumi;

namespace PgHaInfra.Pulumi.Verification;

/// <summary>How the program proves, after an update, that streaming is really active.</summary>
/// <param name="Check">The streaming check to run.</param>
/// <param name="Deadline">How long the check may wait for every replica to stream.</param>
public sealed record PostDeployCheck(IStreamingCheck Check, TimeSpan Deadline)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(2);

    /// <summary>What the status says in a preview, where nothing has been deployed and nothing is checked.</summary>
    public const string NotCheckedInPreview = "not checked: preview";

    /// <summary>Extra time for the check to report after its own deadline, before it is cancelled.</summary>
    private static readonly TimeSpan ReportGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs the check against every node's published port on <paramref name="host"/>. Returns each node's results
    /// as "check" -> "ok: observed" or "FAILED: saw ..., expected ...". When streaming is not active it logs an error on
    /// <paramref name="owner"/> with the report's summary (no secrets in it), which fails the update. An error log,
    /// not an exception: a faulted output fails once per place it is exported, and then with a stack trace.
    /// </summary>
    public async Task<ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>> RunAsync(
        ClusterSpec spec, string host, ClusterCredentials credentials, Resource owner)
    {
        using var cancellation = new CancellationTokenSource(Deadline + ReportGrace);
        await using var access = ClusterAccess.ThroughPublishedPorts(spec, host, credentials);
        var report = await Check.RunAsync(access, new StreamingCheckOptions(Deadline), cancellation.Token).ConfigureAwait(false);
        if (!report.Passed)
        {
            Log.Error(FailureMessage(spec, report), owner);
        }

        return StatusOf(report);
    }

    public static string FailureMessage(ClusterSpec spec, VerificationReport report) =>
        $"post-deploy check of cluster \"{spec.Name}\" (stack {spec.Stack}) failed: streaming is not active.{Environment.NewLine}{report.Summary}";

    public static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> StatusOf(VerificationReport report) =>
        report.Results
            .GroupBy(r => r.Node)
            .ToImmutableSortedDictionary(
                g => g.Key,
                g => g.GroupBy(r => r.Check).ToImmutableSortedDictionary(
                    c => c.Key,
                    c => string.Join("; ", c.Select(r => r.Passed ? $"ok: {r.Observed}" : $"FAILED: saw {r.Observed}, expected {r.Expected}")),
                    StringComparer.Ordinal),
                StringComparer.Ordinal);

    /// <summary>The status of every node in a preview.</summary>
    public static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> PreviewStatus(ClusterSpec spec) =>
        spec.Nodes.ToImmutableSortedDictionary(
            n => n.Name,
            _ => ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add("streaming", NotCheckedInPreview),
            StringComparer.Ordinal);
}
