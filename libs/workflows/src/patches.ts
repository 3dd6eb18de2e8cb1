/**
 * The `patched()` ids of the ticket workflow, one per change made to it while tickets were open. Each is kept
 * until no workflow that started before its change is still open (docs/deploy.md, changing workflow code).
 */
export const WORKFLOW_PATCHES = {
  /** Workflows that recorded rungs by an activity task until now switch at their next rung (replay keeps the old path). */
  localRungs: 'rung-by-local-activity',
} as const;
