using PgHaInfra.Spec;
using PgHaInfra.Stack;

namespace PgHaInfra.Pulumi.Configuration;

/// <summary>The stack's <see cref="ClusterSpec"/> for the Pulumi program: pgha's validation, then Docker's own limits.</summary>
public static class StackSpec
{
    /// <exception cref="StackValidationException">Every mistake, with the same texts as <c>pgha validate</c>.</exception>
    public static ClusterSpec Read(StackDocument document)
    {
        var (spec, errors) = ClusterSpecReader.TryRead(document);
        if (spec is not null)
        {
            errors = errors.AddRange(DockerTargetRules.Check(spec));
        }

        return errors.IsEmpty && spec is not null ? spec : throw new StackValidationException(errors);
    }
}
