using System.Net.Sockets;
using Npgsql;
using PgHaInfra.Examples.ReadWrite;

namespace PgHaInfra.Core.Tests.Applications;

/// <summary>The example application's pure parts: which write failures are safe to retry, and the endpoints it takes from pgha.</summary>
public sealed class ExampleAppTests
{
    [Theory]
    [InlineData("25006", WriteOutcome.NotApplied)] // read-only transaction: the session reached a standby
    [InlineData("57P03", WriteOutcome.NotApplied)] // shutting down / starting up
    [InlineData("40001", WriteOutcome.NotApplied)] // serialization failure: rolled back whole
    [InlineData("57P01", WriteOutcome.Unknown)] // admin shutdown mid-statement: the commit may have happened
    [InlineData("57P02", WriteOutcome.Unknown)]
    [InlineData("08006", WriteOutcome.Unknown)]
    [InlineData("23505", WriteOutcome.Rejected)] // unique violation: a retry fails the same way
    [InlineData("42601", WriteOutcome.Rejected)]
    public void A_server_error_after_the_statement_was_sent_is_classified_by_its_sqlstate(string sqlState, WriteOutcome expected) =>
        Assert.Equal(expected, WriteFailure.Classify(new PostgresException("m", "ERROR", "ERROR", sqlState), sent: true));

    [Fact]
    public void A_broken_connection_mid_statement_is_unknown_and_any_failure_before_sending_is_not_applied()
    {
        var broken = new NpgsqlException("Exception while reading from stream", new EndOfStreamException());
        Assert.Equal(WriteOutcome.Unknown, WriteFailure.Classify(broken, sent: true));
        Assert.Equal(WriteOutcome.Unknown, WriteFailure.Classify(new TimeoutException(), sent: true));
        Assert.Equal(WriteOutcome.NotApplied, WriteFailure.Classify(new NpgsqlException("No suitable host was found."), sent: false));
        Assert.Equal(WriteOutcome.NotApplied, WriteFailure.Classify(new NpgsqlException("refused", new SocketException((int)SocketError.ConnectionRefused)), sent: false));
        Assert.False(WriteFailure.IsFailover(WriteOutcome.Rejected));
        Assert.Equal("SQLSTATE 57P01 (terminating connection)", WriteFailure.Describe(new PostgresException("terminating connection", "FATAL", "FATAL", "57P01")));
    }

    [Fact]
    public void Endpoints_come_from_pgha_status_json_and_a_delayed_replica_can_be_left_out_of_both()
    {
        const string json = """
            { "schemaVersion": 1, "primary": "pg-1",
              "writeEndpoint": "Host=127.0.0.1:5001,127.0.0.1:5002,127.0.0.1:5003;Target Session Attributes=read-write",
              "readEndpoint": "Host=127.0.0.1:5002,127.0.0.1:5003,127.0.0.1:5001;Target Session Attributes=prefer-standby;Load Balance Hosts=True" }
            """;
        var endpoints = AppEndpoints.FromStatusJson(json).Without(["127.0.0.1:5003"]);

        Assert.Equal("127.0.0.1:5001,127.0.0.1:5002", new NpgsqlConnectionStringBuilder(endpoints.Write).Host);
        Assert.Equal("127.0.0.1:5002,127.0.0.1:5001", new NpgsqlConnectionStringBuilder(endpoints.Read).Host);
        Assert.True(new NpgsqlConnectionStringBuilder(endpoints.Read).LoadBalanceHosts);
        var missing = Assert.Throws<FormatException>(() => AppEndpoints.FromStatusJson("""{ "writeEndpoint": "Host=a" }"""));
        Assert.Contains("readEndpoint", missing.Message, StringComparison.Ordinal);
    }
}
