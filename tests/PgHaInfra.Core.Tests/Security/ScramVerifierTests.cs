using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PgHaInfra.Security;

namespace PgHaInfra.Core.Tests.Security;

public sealed partial class ScramVerifierTests
{
    // RFC 7677 section 3: user "user", password "pencil", this salt, 4096 iterations, and the exchange below.
    private const string Salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string ClientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinalWithoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string ClientProof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public void Verifier_authenticates_the_rfc7677_exchange_as_a_postgresql_server_would()
    {
        var verifier = ScramVerifier.Compute("pencil", Convert.FromBase64String(Salt));

        var match = Format().Match(verifier);
        Assert.True(match.Success, verifier);
        Assert.Equal(Salt, match.Groups["salt"].Value);
        var storedKey = Convert.FromBase64String(match.Groups["stored"].Value);
        var serverKey = Convert.FromBase64String(match.Groups["server"].Value);
        var authMessage = Encoding.UTF8.GetBytes($"{ClientFirstBare},{ServerFirst},{ClientFinalWithoutProof}");

        // The server's check (PostgreSQL's verify_client_proof): ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) == StoredKey.
        var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        var clientKey = Convert.FromBase64String(ClientProof).Zip(clientSignature, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(storedKey, SHA256.HashData(clientKey));

        // And the server proves itself with the signature the RFC expects.
        Assert.Equal(ServerSignature, Convert.ToBase64String(HMACSHA256.HashData(serverKey, authMessage)));
    }

    [Fact]
    public void Verifier_has_postgresql_s_stored_format_and_is_deterministic_for_a_fixed_salt()
    {
        var salt = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

        var first = ScramVerifier.Compute("correct horse", salt);

        Assert.Equal(first, ScramVerifier.Compute("correct horse", salt));
        Assert.NotEqual(first, ScramVerifier.Compute("correct horse!", salt));
        Assert.Matches(Format(), first);
        Assert.StartsWith("SCRAM-SHA-256$4096:AQIDBAUGBwgJCgsMDQ4PEA==$", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_salt_each_verifier_gets_a_fresh_random_16_byte_salt()
    {
        var a = Format().Match(ScramVerifier.Compute("pw"));
        var b = Format().Match(ScramVerifier.Compute("pw"));

        Assert.NotEqual(a.Groups["salt"].Value, b.Groups["salt"].Value);
        Assert.Equal(16, Convert.FromBase64String(a.Groups["salt"].Value).Length);
    }

    [Fact]
    public void Generated_passwords_are_long_and_need_no_quoting()
    {
        var password = GeneratedPassword.New();

        Assert.Equal(32, password.Length);
        Assert.Matches("^[A-Za-z0-9]+$", password);
        Assert.NotEqual(password, GeneratedPassword.New());
    }

    // PostgreSQL stores SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64, 32-byte keys.
    [GeneratedRegex(@"^SCRAM-SHA-256\$4096:(?<salt>[A-Za-z0-9+/=]+)\$(?<stored>[A-Za-z0-9+/]{43}=):(?<server>[A-Za-z0-9+/]{43}=)$")]
    private static partial Regex Format();
}
