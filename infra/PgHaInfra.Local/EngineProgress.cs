namespace PgHaInfra.Local;

/// <summary>One finished (or started) step of the engine: which node, what, how long, and the outcome in a sentence.</summary>
/// <param name="Elapsed">Null when the step just started.</param>
public sealed record EngineStep(string Node, string Step, TimeSpan? Elapsed, string? Detail = null);

/// <summary>Where the engine reports progress. The CLI prints it; tests collect it.</summary>
public interface IEngineProgress
{
    void Report(EngineStep step);
}

/// <summary>Progress that goes nowhere.</summary>
public sealed class SilentProgress : IEngineProgress
{
    public static readonly SilentProgress Instance = new();

    public void Report(EngineStep step)
    {
    }
}
