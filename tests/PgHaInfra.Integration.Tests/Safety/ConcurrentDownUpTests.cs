using PgHaInfra.Local;
using PgHaInfra.Stack;

namespace PgHaInfra.Integration.Tests.Safety;

/// <summary>
/// The stack lock is taken before state.json is read, and its file lives beside the tree `down` deletes: while a
/// `down` holds the stack, a concurrent `up` is refused, and the lock is still held after the tree is gone.
/// </summary>
public sealed class ConcurrentDownUpTests
{
    [Fact]
    public async Task A_down_holding_the_stack_refuses_a_concurrent_up_and_keeps_its_lock_after_deleting_the_tree()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await using var test = await TestCluster.StartAsync("safe-lock", StackTemplates.Async(1), cancellationToken: deadline.Token);
        var spec = await StackLoader.LoadAsync(new StackCatalog(test.StacksDirectory), test.Stack, deadline.Token);

        await using (var down = await LocalCluster.OpenForChangeAsync(spec, new LocalEngineOptions(test.StateDirectory), "down", deadline.Token))
        {
            var upDuringDown = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "up");
            Assert.True(upDuringDown.ExitCode == 1, upDuringDown.Stderr);
            Assert.Contains("another pgha is changing this stack", upDuringDown.Stderr, StringComparison.Ordinal);
            Assert.Contains("pgha down", upDuringDown.Stderr, StringComparison.Ordinal);

            await LocalEngine.DownAsync(down, keepData: false, SilentProgress.Instance, deadline.Token);
            Assert.False(Directory.Exists(test.StateDirectory), "down removed the tree");

            // The tree is gone, the lock is not: a second holder is still refused, in-process and from the CLI.
            Assert.Throws<LocalEngineException>(() => StackLock.Acquire(down.Layout, "up"));
            var upAfterDown = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(60), "up");
            Assert.True(upAfterDown.ExitCode == 1, upAfterDown.Stderr);
            Assert.Contains("another pgha is changing this stack", upAfterDown.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(test.StateDirectory, "data")), "the refused up made nothing");
        }

        // Once down lets go, up may run.
        var up = await PghaProcess.RunAsync(test, TimeSpan.FromSeconds(90), "up");
        Assert.True(up.ExitCode == 0, up.Stderr);
        await test.OpenAsync(deadline.Token);
    }
}
