namespace PgHaInfra.Operations.Verification;

/// <summary>
/// The primary's part of the post-deploy check, done before the replicas' part: its role, and the canary row (and
/// the LSN after it) that every replica must then show. `up` makes it as soon as its new replicas hold their base
/// backups, so the commit overlaps their start; the row is newer than every base backup, so a replica can only get
/// it by streaming.
/// </summary>
/// <param name="CanaryToken">The canary row's token; null when no canary was written (not asked for, or no primary).</param>
/// <param name="Lsn">The primary's WAL position after the canary: what every replica must reach. Null when unknown.</param>
public sealed record PrimaryMark(CheckResult Role, string? CanaryToken, string? Lsn);
