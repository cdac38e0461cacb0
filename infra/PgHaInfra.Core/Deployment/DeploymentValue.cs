namespace PgHaInfra.Deployment;

/// <summary>A text of the description, and whether it is secret: secrets are redacted wherever the description is shown.</summary>
public sealed record DeploymentValue(string Text, bool IsSecret)
{
    public const string Redacted = "[secret]";

    public static DeploymentValue Plain(string text) => new(text, false);

    public static DeploymentValue Secret(string text) => new(text, true);

    /// <summary>What a person or a log may see.</summary>
    public string Shown => IsSecret ? Redacted : Text;

    public override string ToString() => Shown;
}
