/**
 * Floors the runbooks set, shared by the pack's config defaults and the program that declares the
 * estate (its config bounds and component checks), so a value has one lower bound everywhere.
 */

/**
 * Shortest point-in-time restore window, in days (runbook 000: backups and PITR active). It is also
 * Flexible Server's own minimum backup retention (learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore).
 */
export const MIN_PITR_RETENTION_DAYS = 7;
