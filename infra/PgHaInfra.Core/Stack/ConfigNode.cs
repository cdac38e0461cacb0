using System.Collections.Immutable;
using PgHaInfra.Messages;

namespace PgHaInfra.Stack;

/// <summary>
/// A stack's configuration as a neutral tree, whatever it was read from: a YAML stack file, or Pulumi's Config.
/// Scalars stay text, as Pulumi stores them; the reader parses them with errors that name the key.
/// </summary>
public abstract record ConfigNode(int? Line)
{
    public abstract string Describe();
}

public sealed record ConfigScalar(string Text, int? Line = null) : ConfigNode(Line)
{
    public override string Describe() => Shown.Quote(Text);
}

public sealed record ConfigMap(ImmutableArray<ConfigEntry> Entries, int? Line = null) : ConfigNode(Line)
{
    public override string Describe() => "a mapping";
}

public sealed record ConfigList(ImmutableArray<ConfigNode> Items, int? Line = null) : ConfigNode(Line)
{
    public override string Describe() => "a list";
}

public sealed record ConfigEntry(string Key, ConfigNode Value, int? Line = null);
