using System.Collections.Immutable;
using System.Diagnostics;
using PgHaInfra.Operations.Diagnostics;

namespace PgHaInfra.Operations.Failover;

/// <summary>Times each step, keeps the record, and tells the caller as each one ends (for live progress).</summary>
internal sealed class StepRecorder(Action<StepTiming>? onStep)
{
    private readonly List<StepTiming> steps = [];

    public ImmutableArray<StepTiming> Steps
    {
        get
        {
            lock (steps)
            {
                return [.. steps];
            }
        }
    }

    /// <summary>Runs one step; its result's sentence becomes the step's detail.</summary>
    public async Task<T> RunAsync<T>(string step, string? node, Func<Task<T>> action, Func<T, string> describe)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        TestDieAt.Check(step, node, finished: false);
        var result = await action();
        TestDieAt.Check(step, node, finished: true);
        Add(new StepTiming(step, node, startedAt, clock.Elapsed, describe(result)));
        return result;
    }

    public async Task RunAsync(string step, string? node, Func<Task<string>> action) =>
        await RunAsync(step, node, action, detail => detail);

    public void Add(StepTiming timing)
    {
        lock (steps)
        {
            steps.Add(timing);
        }

        onStep?.Invoke(timing);
    }
}
