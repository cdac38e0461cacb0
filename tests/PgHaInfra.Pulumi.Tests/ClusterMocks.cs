using System.Collections.Concurrent;
using System.Collections.Immutable;
using Pulumi.Testing;

namespace PgHaInfra.Pulumi.Tests;

/// <summary>Pulumi mocks that echo inputs, answer what providers compute, and record what the program registered.</summary>
public sealed class ClusterMocks : IMocks
{
    public const string ImageId = "sha256:0123456789abcdef";

    public ConcurrentQueue<MockResourceArgs> Created { get; } = new();

    public ConcurrentQueue<string> RegisteredOutputs { get; } = new();

    /// <summary>Each RandomPassword's result: distinct per resource, so a test can tell the superuser's from the replicator's.</summary>
    public static string PasswordOf(string resourceName) => "Pw" + resourceName.Replace("-", "", StringComparison.Ordinal);

    public const string SaltBase64 = "AAECAwQFBgcICQoLDA0ODw==";

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Created.Enqueue(args);
        var state = ImmutableDictionary.CreateBuilder<string, object>();
        state.AddRange(args.Inputs);
        switch (args.Type)
        {
            case "random:index/randomPassword:RandomPassword":
                state["result"] = PasswordOf(args.Name!);
                break;
            case "random:index/randomId:RandomId":
                state["b64Std"] = SaltBase64;
                break;
            case "docker:index/remoteImage:RemoteImage":
                state["imageId"] = ImageId;
                break;
        }

        return Task.FromResult<(string?, object)>(($"{args.Name}-id", state.ToImmutable()));
    }

    public Task<object> CallAsync(MockCallArgs args) => Task.FromResult<object>(args.Args);

    public Task RegisterResourceOutputs(MockRegisterResourceOutputsRequest args)
    {
        RegisteredOutputs.Enqueue(args.Urn);
        return Task.CompletedTask;
    }
}
