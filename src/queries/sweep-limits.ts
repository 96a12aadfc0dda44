/** Limits shared by the sweep and the CLI's flags, kept below src/cli in the import order. */

/** Largest |seed|: seed + replications (at most 1000) stays a safe integer, so every replication has a seed of its own. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER - 1000;
