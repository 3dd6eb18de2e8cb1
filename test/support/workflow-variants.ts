import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '@app/workflows';
import { workflowBundlerOptions } from '@app/temporal';

/**
 * The ticket workflow as it was before a `patched(id)` change (`before`: the patch never taken, as code that
 * did not have it) or as the same change made without the guard (`unguarded`: the new path always, replays
 * included). Built by aliasing `@temporalio/workflow` to a shim that answers `patched(id)` for that one id;
 * everything else is the SDK's own. For the rolling restart and the replay gate of the cluster tier.
 */
export async function bundleWorkflowVariant(patchId: string, variant: 'before' | 'unguarded'): Promise<{ code: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-workflow-variant-'));
  const shim = join(dir, 'workflow-shim.js');
  const real = require.resolve('@temporalio/workflow');
  writeFileSync(
    shim,
    [
      `const real = require(${JSON.stringify(real)});`,
      `module.exports = Object.assign({}, real, {`,
      `  patched: (id) => (id === ${JSON.stringify(patchId)} ? ${variant === 'unguarded'} : real.patched(id)),`,
      `});`,
    ].join('\n'),
  );
  const base = workflowBundlerOptions.webpackConfigHook!;
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => {
      const configured = base(config);
      return { ...configured, resolve: { ...configured.resolve, alias: { ...(configured.resolve?.alias as object), '@temporalio/workflow$': shim } } };
    },
  });
}
