namespace PgHaInfra.Local.Patroni;

/// <summary>
/// How to run pgha itself, for the node supervisors `up` starts: PGHA_EXECUTABLE, else the `pgha` apphost beside
/// this assembly (the published CLI, and the copy beside the integration tests), else `dotnet pgha.dll`.
/// </summary>
public static class PghaExecutable
{
    public const string Variable = "PGHA_EXECUTABLE";

    public static (string Program, IReadOnlyList<string> Prefix) Locate()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return (Path.GetFullPath(configured), []);
        }

        var apphost = Path.Combine(AppContext.BaseDirectory, "pgha");
        if (File.Exists(apphost))
        {
            return (apphost, []);
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "pgha.dll");
        if (File.Exists(dll))
        {
            return ("/usr/bin/dotnet", [dll]);
        }

        throw new LocalEngineException($"pgha's own executable was not found beside {AppContext.BaseDirectory}: set {Variable} to the pgha program (the node supervisors run it)");
    }
}
