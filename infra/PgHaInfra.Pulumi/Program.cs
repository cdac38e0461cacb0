using PgHaInfra.Pulumi;
using PgHaInfra.Pulumi.Verification;
using Pulumi;

return await Deployment.RunAsync(() => ClusterProgram.DeployAsync(new OperationsStreamingCheck()));
