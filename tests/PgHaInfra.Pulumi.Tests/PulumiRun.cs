using System.Collections.Immutable;
using PgHaInfra.Pulumi.Components;
using PgHaInfra.Pulumi.Verification;
using PgHaInfra.Spec;
using PgHaInfra.Stack;
using Pulumi;
using Pulumi.Testing;
using Pulumi.Utilities;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>Runs the program under mocks, and reads what it declared.</summary>
public static class PulumiRun
{
    public static TestOptions Options(string stack, bool preview) =>
        new() { StackName = stack, ProjectName = StackDocument.Namespace, IsPreview = preview };

    /// <summary>The whole program, as Program.cs runs it: configuration from PULUMI_CONFIG, the stack's component, its outputs.</summary>
    public static async Task<(ImmutableArray<Resource> Resources, IDictionary<string, object?> Outputs, ClusterMocks Mocks)> ProgramAsync(
        string stackFile, string stack, IStreamingCheck check, bool preview, ClusterMocks? mocks = null)
    {
        using var config = EngineConfig.FromStackFile(stackFile);
        mocks ??= new ClusterMocks();
        var (resources, outputs) = await global::Pulumi.Deployment.TestAsync(mocks, Options(stack, preview), () => ClusterProgram.DeployAsync(check));
        return (resources, outputs, mocks);
    }

    /// <summary>
    /// The stack's component under a probe whose transformation sees every child's arguments and options
    /// (mock inputs lose secrecy, protect, retainOnDelete and dependsOn; transformations keep them).
    /// </summary>
    public static async Task<Probed> ProbedAsync(ClusterSpec spec, IStreamingCheck check, bool preview)
    {
        var seen = new List<ResourceTransformationArgs>();
        PostgresCluster? cluster = null;
        var mocks = new ClusterMocks();
        await global::Pulumi.Deployment.TestAsync(mocks, Options(spec.Stack, preview), () =>
        {
            var probe = new Probe(seen);
            cluster = ClusterProgram.Create(spec.Name, new ClusterArgs(spec, new PostDeployCheck(check, PostDeployCheck.DefaultDeadline)),
                new ComponentResourceOptions { Parent = probe });
        });
        return new Probed(cluster!, [.. seen]);
    }

    public static Task<T> ValueOf<T>(Output<T> output) => OutputUtilities.GetValueAsync(output);

    public static Task<T> ValueOf<T>(Input<T> input) => OutputUtilities.GetValueAsync(input.ToOutput());

    public static Task<bool> IsSecret<T>(Input<T> input) => Output.IsSecretAsync(input.ToOutput());

    public static async Task<string> UrnOf(Resource resource) => await ValueOf(resource.Urn);

    /// <summary>The types from the root component down to the resource, from its URN (parent types joined by '$').</summary>
    public static ImmutableArray<string> TypeChain(string urn) => [.. urn.Split("::")[2].Split('$')];

    public sealed record Probed(PostgresCluster Cluster, ImmutableArray<ResourceTransformationArgs> Seen)
    {
        public ResourceTransformationArgs Of(Resource resource) => Seen.Single(s => ReferenceEquals(s.Resource, resource));
    }

    private sealed class Probe : ComponentResource
    {
        public Probe(List<ResourceTransformationArgs> seen)
            : base("test:index:Probe", "probe", new ComponentResourceOptions
            {
                ResourceTransformations =
                {
                    args =>
                    {
                        lock (seen)
                        {
                            seen.Add(args);
                        }

                        return null;
                    },
                },
            })
        {
            RegisterOutputs();
        }
    }
}
