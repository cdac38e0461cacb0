// Each test class brings up real PostgreSQL clusters; on a 2-core machine they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
