using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PgHaInfra.Spec;

namespace PgHaInfra.Operations.Patroni;

/// <summary>An answer of Patroni's REST API: its status code and its own words.</summary>
public sealed record PatroniReply(int Status, string Text)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// Patroni's REST API (3.0.2) for one cluster: the member view, dynamic configuration, switchover, failover and
/// restart. Engine-agnostic: it takes each node's REST address. Every call is bounded and cancellable; an
/// unreachable member is a null or a reply with status 0, never an exception type on the user's screen.
/// </summary>
public sealed class PatroniClient(ClusterSpec spec, string host) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public ClusterSpec Spec { get; } = spec;

    private PatroniSpec Patroni => Spec.Failover.Patroni ?? throw new InvalidOperationException($"stack {Spec.Stack} is not in patroni mode");

    public Uri UrlOf(string node, string path) =>
        new($"http://{host}:{Patroni.RestPortOf(Spec, Spec.Node(node)).ToString(CultureInfo.InvariantCulture)}{path}");

    /// <summary>The member view from the first member that answers.</summary>
    public async Task<PatroniCluster?> ClusterAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Spec.Nodes)
        {
            var reply = await SendAsync(HttpMethod.Get, node.Name, "/cluster", null, cancellationToken).ConfigureAwait(false);
            if (reply.Succeeded && JsonNode.Parse(reply.Text)?["members"] is JsonArray members)
            {
                return new PatroniCluster([.. members.OfType<JsonObject>().Select(Member)]);
            }
        }

        return null;
    }

    /// <summary>GET /patroni of one member: its own status (role, state, pending_restart, timeline).</summary>
    public async Task<JsonObject?> StatusAsync(string node, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, node, "/patroni", null, cancellationToken).ConfigureAwait(false);
        return reply.Status is 200 or 503 ? JsonNode.Parse(reply.Text) as JsonObject : null;
    }

    /// <summary>GET /config: the dynamic configuration Patroni keeps in etcd.</summary>
    public async Task<JsonObject?> ConfigAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Spec.Nodes)
        {
            var reply = await SendAsync(HttpMethod.Get, node.Name, "/config", null, cancellationToken).ConfigureAwait(false);
            if (reply.Succeeded)
            {
                return JsonNode.Parse(reply.Text) as JsonObject;
            }
        }

        return null;
    }

    public Task<PatroniReply> PatchConfigAsync(string node, JsonObject patch, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, node, "/config", patch, cancellationToken);

    public Task<PatroniReply> SwitchoverAsync(string leader, string candidate, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, leader, "/switchover", new JsonObject { ["leader"] = leader, ["candidate"] = candidate }, cancellationToken);

    public Task<PatroniReply> FailoverAsync(string via, string candidate, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, via, "/failover", new JsonObject { ["candidate"] = candidate }, cancellationToken);

    public Task<PatroniReply> RestartAsync(string node, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, node, "/restart", new JsonObject { ["restart_pending"] = true }, cancellationToken);

    /// <summary>GET on a health endpoint (/primary, /replica, /health): its status code, 0 when nothing answers.</summary>
    public async Task<int> ProbeAsync(string node, string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, node, path, null, cancellationToken).ConfigureAwait(false)).Status;

    public async Task<PatroniReply> SendAsync(HttpMethod method, string node, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, UrlOf(node, path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return new PatroniReply((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException e)
        {
            return new PatroniReply(0, $"{node}'s Patroni REST API at {UrlOf(node, "")} did not answer: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PatroniReply(0, $"{node}'s Patroni REST API at {UrlOf(node, "")} did not answer within {http.Timeout.TotalSeconds:0} s");
        }
    }

    private static PatroniMember Member(JsonObject m) => new(
        (string?)m["name"] ?? "?",
        (string?)m["role"] ?? "?",
        (string?)m["state"] ?? "?",
        (string?)m["host"] ?? "",
        m["port"] is JsonValue port ? port.GetValue<int>() : 0,
        m["timeline"] is JsonValue timeline ? timeline.GetValue<int>() : null,
        m["lag"] is JsonValue lag && lag.TryGetValue<long>(out var bytes) ? bytes : null,
        m["pending_restart"] is JsonValue pending && pending.GetValue<bool>());

    public void Dispose() => http.Dispose();
}
