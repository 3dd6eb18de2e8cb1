export * from './contract';
export { orderRungs } from './rung-order';
export { WORKFLOW_PATCHES } from './patches';

/** Absolute path of the bundle entry, for Worker.create({ workflowsPath }) and bundleWorkflowCode. */
export const WORKFLOWS_PATH = require.resolve('./workflows');
