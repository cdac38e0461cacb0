using PgHaInfra.Security;

namespace PgHaInfra.Deployment;

/// <summary>
/// The generated secrets a deployment is built from (Pulumi.Random makes them in the program, the tests make their own).
/// The salts are stable beside the passwords, so the verifiers (and so the uploaded SQL) change only when a password does.
/// </summary>
public sealed record DeploymentSecrets(string SuperuserPassword, string ReplicationPassword, byte[] SuperuserSalt, byte[] ReplicationSalt)
{
    public const int SaltBytes = 16;

    /// <summary>What `pgha render` builds the description from: it shows no secret, so these never need to be real.</summary>
    public static DeploymentSecrets Placeholders { get; } = new(
        "<superuser password>", "<replication password>", new byte[SaltBytes], new byte[SaltBytes]);

    public static DeploymentSecrets Generate() => new(
        GeneratedPassword.New(), GeneratedPassword.New(),
        System.Security.Cryptography.RandomNumberGenerator.GetBytes(SaltBytes),
        System.Security.Cryptography.RandomNumberGenerator.GetBytes(SaltBytes));

    public string SuperuserVerifier => ScramVerifier.Compute(SuperuserPassword, SuperuserSalt);

    public string ReplicationVerifier => ScramVerifier.Compute(ReplicationPassword, ReplicationSalt);

    public override string ToString() => $"{nameof(DeploymentSecrets)} {{ {DeploymentValue.Redacted} }}";
}
