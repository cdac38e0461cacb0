using PgHaInfra.Cli;

// Verbs are registered in PghaApp.Register (PghaApp.cs), so tests can run the same app in-process.
var consoles = CliConsoles.System();

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await PghaApp.RunAsync(consoles, args, cancellation.Token);
