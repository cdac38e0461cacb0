using System.Security.Cryptography;

namespace PgHaInfra.Security;

/// <summary>Random passwords for the roles the engine creates: letters and digits only, so no quoting layer can mangle them.</summary>
public static class GeneratedPassword
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static string New(int length = 32) => RandomNumberGenerator.GetString(Alphabet, length);
}
