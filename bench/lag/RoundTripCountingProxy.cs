using System.Net;
using System.Net.Sockets;

namespace PgHaInfra.Bench.Lag;

/// <summary>
/// A loopback TCP proxy in front of one PostgreSQL node that counts round trips: every time the client sends after
/// the server has answered (or first), that is one more request-response turn. Connection set-up (SSL request,
/// startup, SCRAM exchange) counts like any other turn, because it costs the same wait.
/// </summary>
internal sealed class RoundTripCountingProxy : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly int targetPort;
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private long roundTrips;
    private long connections;

    public RoundTripCountingProxy(int listenPort, int targetPort)
    {
        this.targetPort = targetPort;
        listener = new TcpListener(IPAddress.Loopback, listenPort);
        listener.Start();
        Port = listenPort;
        acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public long RoundTrips => Interlocked.Read(ref roundTrips);

    public long Connections => Interlocked.Read(ref connections);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = true;
            server.NoDelay = true;
            await server.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
            var lastFromClient = new StrongBox<bool>(false);
            var up = PumpAsync(client.GetStream(), server.GetStream(), fromClient: true, lastFromClient);
            var down = PumpAsync(server.GetStream(), client.GetStream(), fromClient: false, lastFromClient);
            await Task.WhenAny(up, down);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool fromClient, StrongBox<bool> lastFromClient)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, stop.Token);
                if (read == 0)
                {
                    return;
                }

                lock (lastFromClient)
                {
                    if (fromClient && !lastFromClient.Value)
                    {
                        Interlocked.Increment(ref roundTrips);
                    }

                    lastFromClient.Value = fromClient;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A side closed: the relay ends.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stop.Dispose();
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }
}
