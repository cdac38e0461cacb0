// PULUMI_CONFIG is process-wide and Pulumi's Deployment is one per run: the tests here run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
