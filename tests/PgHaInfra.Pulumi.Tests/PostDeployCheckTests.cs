using PgHaInfra.Pulumi.Verification;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>The update fails when streaming is not active, with the check's summary, and never a preview.</summary>
public sealed class PostDeployCheckTests
{
    [Fact]
    public async Task An_update_whose_replicas_do_not_stream_fails_with_the_checks_summary()
    {
        var file = StackFiles.Repository.PathOf("local");
        var check = RecordingCheck.Failing();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => PulumiRun.ProgramAsync(file, "local", check, preview: false));

        Assert.Single(check.Calls);
        // One clean error, on the cluster component, without a stack trace.
        Assert.IsType<global::Pulumi.RunException>(failure);
        Assert.Equal(
            $"post-deploy check of cluster \"local\" (stack local) failed: streaming is not active.{Environment.NewLine}pg-3: wal_receiver: saw no WAL receiver, expected streaming",
            failure.Message);
        Assert.DoesNotContain(ClusterMocks.PasswordOf("local-superuser-password"), failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task The_check_runs_only_after_every_container_exists(string directory, string stack)
    {
        var mocks = new ClusterMocks();
        var nodes = (await Stack.StackLoader.LoadAsync(new Stack.StackCatalog(directory), stack, CancellationToken.None)).Nodes.Length;
        var containersAtCheck = -1;
        var check = new RecordingCheck(access =>
        {
            containersAtCheck = mocks.Created.Count(c => c.Type == "docker:index/container:Container");
            return RecordingCheck.PassingReport(access);
        });

        await PulumiRun.ProgramAsync(StackFiles.PathOf(directory, stack), stack, check, preview: false, mocks);

        Assert.Single(check.Calls);
        Assert.Equal(nodes, containersAtCheck);
    }

    public static TheoryData<string, string> Stacks() => StackFiles.All();

    [Fact]
    public async Task A_preview_with_a_check_that_would_fail_still_succeeds_and_never_calls_it()
    {
        var check = RecordingCheck.Failing();

        var (_, outputs, _) = await PulumiRun.ProgramAsync(StackFiles.Repository.PathOf("prod"), "prod", check, preview: true);

        Assert.Empty(check.Calls);
        Assert.True(outputs.ContainsKey("replicationStatus"));
    }

    [Fact]
    public void The_status_says_per_node_and_check_what_was_observed()
    {
        var report = new Operations.Verification.VerificationReport(
        [
            new("pg-2", "streaming", true, "streaming from pg-1", "streaming from pg-1"),
            new("pg-3", "streaming", false, "no WAL receiver", "streaming from pg-1"),
        ]);

        var status = PostDeployCheck.StatusOf(report);

        Assert.Equal("ok: streaming from pg-1", status["pg-2"]["streaming"]);
        Assert.Equal("FAILED: saw no WAL receiver, expected streaming from pg-1", status["pg-3"]["streaming"]);
    }
}
