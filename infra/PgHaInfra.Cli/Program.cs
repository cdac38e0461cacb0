using PgHaInfra.Cli;

// Verbs are registered in PghaApp.Register (PghaApp.cs), so tests can run the same app in-process.
var app = PghaApp.Create(CliConsoles.System());

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await app.RunAsync(args, cancellation.Token);
