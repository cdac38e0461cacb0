using System.Globalization;
using System.Text;

namespace PgHaInfra.Deployment;

/// <summary>
/// The description as stable plain text for review: fixed order, no timestamps, secrets shown as [secret]. This is
/// what `pgha render --deployment` prints and what the pull-request workflow diffs, the preview of `pulumi up`.
/// </summary>
public static class DeploymentText
{
    public static string Render(DockerDeployment deployment)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        string Labels(IEnumerable<KeyValuePair<string, string>> labels) => string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"));

        Line($"# Docker deployment of stack \"{deployment.Stack}\" (cluster \"{deployment.Cluster}\"), as `pulumi up` declares it. Secrets: {DeploymentValue.Redacted}.");
        Line();
        Line($"network {deployment.Network.Name}");
        Line($"  driver: {deployment.Network.Driver}");
        Line($"  subnet: {deployment.Network.Subnet}");
        Line($"  labels: {Labels(deployment.Network.Labels)}");
        Line();
        Line($"image {deployment.Image.Name}");
        Line($"  keep locally: {Word(deployment.Image.KeepLocally)}");
        foreach (var volume in deployment.Volumes)
        {
            Line();
            Line($"volume {volume.Name}");
            Line($"  node: {volume.Node}");
            Line($"  retain on delete: {Word(volume.Retain)}");
            Line($"  labels: {Labels(volume.Labels)}");
        }

        foreach (var c in deployment.Containers)
        {
            Line();
            Line($"container {c.Name}");
            Line($"  node: {c.Node}{(c.Upstream is null ? "" : $" (created after {c.Upstream} is healthy)")}");
            Line($"  hostname: {c.Hostname}");
            Line($"  image: {c.Image}");
            Line($"  entrypoint: {Words(c.Entrypoint)}");
            Line($"  command: {Words(c.Command)}");
            Line($"  environment: {string.Join(" ", c.Environment.Select(e => e.Assignment.Shown))}");
            Line($"  labels: {Labels(c.Labels)}");
            Line($"  volume: {c.Data.Volume} -> {c.Data.ContainerPath}");
            Line($"  network: {c.Network.Network}, aliases {string.Join(", ", c.Network.Aliases)}");
            foreach (var port in c.Ports)
            {
                Line($"  publish: {port.HostAddress}:{port.External.ToString(CultureInfo.InvariantCulture)} -> {port.Internal.ToString(CultureInfo.InvariantCulture)}/{port.Protocol}");
            }

            Line($"  health check: {Words(c.HealthCheck.Test)} every {c.HealthCheck.Interval}, timeout {c.HealthCheck.Timeout}, start period {c.HealthCheck.StartPeriod}, retries {c.HealthCheck.Retries.ToString(CultureInfo.InvariantCulture)}");
            Line($"  stop: {c.StopSignal}, killed after {c.StopGraceSeconds.ToString(CultureInfo.InvariantCulture)} s");
            Line($"  restart: {c.RestartPolicy}; init: {Word(c.Init)}; delete before replace: {Word(c.DeleteBeforeReplace)}; healthy within {c.HealthyWithinSeconds.ToString(CultureInfo.InvariantCulture)} s");
            Line($"  create-only (ignored by later updates; the data and pgha's operations own the role): bootstrap {c.Bootstrap.Mode}{(c.Bootstrap.From is null ? "" : $" from {c.Bootstrap.From}")}, aliases {(c.Bootstrap.Aliases.IsEmpty ? "none" : string.Join(", ", c.Bootstrap.Aliases))}");
            Line("  create-only role settings:");
            foreach (var line in c.Bootstrap.Role.TrimEnd('\n').Split('\n'))
            {
                Line(line.Length == 0 ? "    |" : $"    | {line}");
            }

            foreach (var upload in c.Uploads)
            {
                Line($"  upload {upload.Path} (mode {upload.Permissions}{(upload.Content.IsSecret ? ", secret" : "")}):");
                var body = upload.Content.Shown;
                foreach (var line in body.TrimEnd('\n').Split('\n'))
                {
                    Line(line.Length == 0 ? "    |" : $"    | {line}");
                }
            }
        }

        return text.ToString();
    }

    private static string Word(bool value) => value ? "yes" : "no";

    private static string Words(IEnumerable<string> words) => string.Join(" ", words.Select(w => w.Contains(' ', StringComparison.Ordinal) ? $"\"{w}\"" : w));
}
