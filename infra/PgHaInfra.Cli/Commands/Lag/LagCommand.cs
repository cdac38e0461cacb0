using System.ComponentModel;
using System.Globalization;
using PgHaInfra.Operations.Lag;
using PgHaInfra.Stack;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PgHaInfra.Cli.Commands.Lag;

/// <summary>
/// Replication lag of every replica against the stack's thresholds, with Nagios exit codes (0 ok, 1 warning,
/// 2 critical, 3 unknown) so cron, CI and monitoring agents can run it as a check.
/// </summary>
public sealed class LagCommand(CliConsoles consoles) : AsyncCommand<LagCommand.Settings>
{
    public sealed class Settings : LocalStackSettings
    {
        [CommandOption("--json")]
        [Description("Print the report as JSON (schema pgha.lag/v1, see the README). With --watch, one JSON document per line.")]
        public bool Json { get; init; }

        [CommandOption("-w|--watch <SECONDS>")]
        [Description("Probe again every SECONDS and refresh the table in place, until Ctrl-C. The exit code is the last level.")]
        public double? WatchSeconds { get; init; }

        public override ValidationResult Validate() =>
            WatchSeconds is { } s && (s < 0.1 || s > 3600 || double.IsNaN(s))
                ? ValidationResult.Error($"--watch = {s.ToString(CultureInfo.InvariantCulture)}: the refresh interval must be between 0.1 and 3600 seconds")
                : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var opened = await LagTarget.OpenAsync(settings, consoles, cancellationToken);
        if (opened.Probe is not { } probe)
        {
            return LagLevel.Unknown.ExitCode();
        }

        if (settings.WatchSeconds is not { } seconds)
        {
            var report = await probe.AssessAsync(cancellationToken);
            Write(report, settings.Json);
            return report.ExitCode;
        }

        return await WatchAsync(probe, TimeSpan.FromSeconds(seconds), settings.Json, cancellationToken);
    }

    private void Write(LagReport report, bool json, bool indented = true)
    {
        if (json)
        {
            consoles.Out.Profile.Out.Writer.WriteLine(LagJson.Serialize(report, indented));
            consoles.Out.Profile.Out.Writer.Flush();
        }
        else
        {
            consoles.Out.Write(LagView.Render(report));
        }
    }

    private async Task<int> WatchAsync(LagProbe probe, TimeSpan interval, bool json, CancellationToken cancellationToken)
    {
        var last = LagLevel.Unknown;
        var footer = $"refreshing every {SizeText.Seconds(interval)}; Ctrl-C to stop";
        try
        {
            var report = await probe.AssessAsync(cancellationToken);
            last = report.Level;
            if (json)
            {
                while (true)
                {
                    Write(report, json: true, indented: false);
                    await Task.Delay(interval, cancellationToken);
                    report = await probe.AssessAsync(cancellationToken);
                    last = report.Level;
                }
            }

            await consoles.Out.Live(LagView.Render(report, footer))
                .AutoClear(false)
                .Overflow(VerticalOverflow.Ellipsis)
                .StartAsync(async live =>
                {
                    while (true)
                    {
                        await Task.Delay(interval, cancellationToken);
                        var next = await probe.AssessAsync(cancellationToken);
                        last = next.Level;
                        live.UpdateTarget(LagView.Render(next, footer));
                        live.Refresh();
                    }
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends the watch; the exit code is the last level seen.
        }

        return last.ExitCode();
    }
}
