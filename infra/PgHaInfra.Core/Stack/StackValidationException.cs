using System.Collections.Immutable;

namespace PgHaInfra.Stack;

/// <summary>A stack that cannot be used, with every mistake found in it.</summary>
public sealed class StackValidationException(ImmutableArray<StackError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public ImmutableArray<StackError> Errors { get; } = errors;
}
