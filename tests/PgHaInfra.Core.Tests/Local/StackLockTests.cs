using PgHaInfra.Cli;
using PgHaInfra.Core.Tests.Cli;
using PgHaInfra.Local;

namespace PgHaInfra.Core.Tests.Local;

/// <summary>Two verbs that change a cluster never run on one stack at once; the second is refused and told who holds it.</summary>
public sealed class StackLockTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("pgha-lock-");

    private StateLayout Layout => new(root.FullName);

    [Fact]
    public void A_second_hold_is_refused_naming_the_holder_and_allowed_once_the_first_ends()
    {
        using (StackLock.Acquire(Layout, "up"))
        {
            var refused = Assert.Throws<LocalEngineException>(() => StackLock.Acquire(Layout, "switchover"));

            Assert.Contains($"pid {Environment.ProcessId}, pgha up, since ", refused.Message, StringComparison.Ordinal);
            Assert.Contains(Layout.LockFile, refused.Message, StringComparison.Ordinal);
            Assert.EndsWith("run switchover again", refused.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Layout.LockHolderFile));
        using var again = StackLock.Acquire(Layout, "switchover");
        Assert.StartsWith($"pid {Environment.ProcessId}, pgha switchover", File.ReadAllText(Layout.LockHolderFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_on_a_held_stack_exits_1_and_removes_nothing()
    {
        Directory.CreateDirectory(Layout.DataRoot);
        using var held = StackLock.Acquire(Layout, "up");

        var run = await PghaRun.RunAsync("down", "--stacks-dir", StackFixtures.RepositoryStacks.Directory, "--stack", "local", "--state-dir", root.FullName);

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Contains("pgha: another pgha is changing this stack (pid ", run.Error, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Layout.DataRoot));
    }

    public void Dispose()
    {
        root.Delete(recursive: true);
        File.Delete(Layout.LockFile);
    }
}
