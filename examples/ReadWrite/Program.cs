using PgHaInfra.Examples.ReadWrite;

// The example application: orders written on the primary and read on the replicas through one Npgsql multi-host
// data source, with the endpoints exactly as pgha prints them.
//   ./pgha status --json > status.json
//   APP_DB_PASSWORD=... dotnet run --project examples/ReadWrite -- status.json [--exclude HOST:PORT ...] [--orders N]
// --exclude drops a host from both endpoints (a delayed replica must never serve reads). The password comes from the
// environment (in production: the secret store), never from the endpoint strings or the command line.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: APP_DB_PASSWORD=... PgHaInfra.Examples.ReadWrite STATUS_JSON [--exclude HOST:PORT ...] [--orders N]");
    return 2;
}

var password = Environment.GetEnvironmentVariable("APP_DB_PASSWORD");
if (string.IsNullOrEmpty(password))
{
    Console.Error.WriteLine("error: set APP_DB_PASSWORD to the password of the role in the endpoints");
    return 2;
}

var excluded = args.Select((a, i) => (a, i)).Where(p => p.a == "--exclude" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
var orders = args.SkipWhile(a => a != "--orders").Skip(1).FirstOrDefault() is { } n && int.TryParse(n, out var count) && count > 0 ? count : 10;
AppEndpoints endpoints;
try
{
    endpoints = AppEndpoints.FromStatusJson(await File.ReadAllTextAsync(args[0]));
    endpoints = excluded.Count > 0 ? endpoints.Without(excluded) : endpoints;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException or ArgumentException)
{
    Console.Error.WriteLine($"error: {args[0]}: {e.Message}");
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
await using var database = RoutedDatabase.Open(endpoints, password);
var store = new OrderStore(database);
try
{
    await store.CreateSchemaAsync(cancel.Token);
    var readsPerNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
    for (var i = 0; i < orders; i++)
    {
        var written = await store.PlaceOrderAsync(Guid.NewGuid(), $"item-{i}", i + 1, cancel.Token);
        var fresh = await store.GetOrderFreshAsync(written.Key, cancel.Token);
        var replica = await store.GetOrderAsync(written.Key, cancel.Token);
        readsPerNode[replica.Node] = readsPerNode.GetValueOrDefault(replica.Node) + 1;
        Console.WriteLine($"order {written.Key}: written on {written.Node} (attempts {written.Attempts}); on the primary: {(fresh.Found ? "seen" : "MISSING")}; " +
            $"on replica {replica.Node} right after: {(replica.Found ? "seen" : "not yet (replica lag)")}");
    }

    Console.WriteLine("reads per node: " + string.Join(", ", readsPerNode.Select(p => $"{p.Key} {p.Value}")));
    return 0;
}
catch (Exception e) when (e is WriteFailedException or Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"error: {WriteFailure.Describe(e)}");
    return 1;
}
