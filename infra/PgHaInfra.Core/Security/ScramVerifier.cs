using System.Security.Cryptography;
using System.Text;

namespace PgHaInfra.Security;

/// <summary>
/// Computes a PostgreSQL SCRAM-SHA-256 verifier (RFC 5802/7677, as libpq's PQencryptPasswordConn does), so that
/// roles are created from a verifier and the password itself is never sent in SQL.
/// </summary>
public static class ScramVerifier
{
    public const int Iterations = 4096;

    public static string Compute(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
