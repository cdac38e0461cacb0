using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace PgHaInfra.Local.Patroni;

/// <summary>One look at Patroni's leader key: who holds it, and how much of its lease is left at least.</summary>
/// <param name="Holder">The member named in the key; null when no member leads.</param>
/// <param name="Remaining">The lease's remaining time, rounded down to whole seconds by etcd (so never more than is left).</param>
public sealed record LeaderLease(string? Holder, TimeSpan Remaining);

/// <summary>
/// Reads the leader key and its lease's time to live over etcd's v3 JSON gateway (/v3/kv/range, /v3/lease/timetolive),
/// trying each member in turn with short timeouts. Reads are linearizable (etcd's default), so a member cut off from
/// its quorum answers nothing rather than something stale; no answer at all is null, and the caller's deadline runs on.
/// </summary>
public sealed class EtcdLeaderLease(IReadOnlyList<Uri> endpoints, string leaderKey) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromMilliseconds(500) })
    {
        Timeout = TimeSpan.FromSeconds(1),
    };

    public async Task<LeaderLease?> ReadAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in endpoints)
        {
            try
            {
                using var range = await PostAsync(endpoint, "v3/kv/range", new Dictionary<string, object> { ["key"] = Base64(leaderKey) }, cancellationToken).ConfigureAwait(false);
                if (!range.RootElement.TryGetProperty("kvs", out var kvs) || kvs.GetArrayLength() == 0)
                {
                    return new LeaderLease(null, TimeSpan.Zero);
                }

                var kv = kvs[0];
                var holder = Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("value").GetString() ?? ""));
                if (!kv.TryGetProperty("lease", out var leaseId))
                {
                    // A key without a lease never expires; Patroni never writes one, so it gives no deadline.
                    return new LeaderLease(holder, TimeSpan.Zero);
                }

                using var lease = await PostAsync(endpoint, "v3/lease/timetolive", new Dictionary<string, object> { ["ID"] = Int64(leaseId) }, cancellationToken).ConfigureAwait(false);
                var ttl = lease.RootElement.TryGetProperty("TTL", out var t) ? Int64(t) : -1;
                return new LeaderLease(holder, TimeSpan.FromSeconds(Math.Max(0, ttl)));
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException
                                          or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // This member did not answer (or answered nonsense): ask the next one.
            }
        }

        return null;
    }

    /// <summary>The gateway's field names are the protobuf's ("ID"), so the body is written without a naming policy.</summary>
    private async Task<JsonDocument> PostAsync(Uri endpoint, string path, Dictionary<string, object> body, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(body, options: JsonSerializerOptions.Default);
        using var response = await http.PostAsync(new Uri(endpoint, path), content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (document.RootElement.TryGetProperty("error", out _))
        {
            document.Dispose();
            throw new InvalidOperationException("etcd answered with an error");
        }

        return document;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The gateway writes int64 fields as JSON strings.</summary>
    private static long Int64(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? long.Parse(element.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : element.GetInt64();

    public void Dispose() => http.Dispose();
}
