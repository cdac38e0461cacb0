// One engine, one CPU budget: the deployments run one after another (each is parallel inside itself).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
