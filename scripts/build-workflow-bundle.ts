// Prebuilds the workflow bundle for production workers (the Docker image sets WORKFLOW_BUNDLE_PATH to it),
// so a worker starts without webpack and runs exactly the code that was built and tested.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleTicketWorkflows } from '@app/temporal';

const target = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
bundleTicketWorkflows()
  .then(({ code }) => {
    writeFileSync(target, code);
    process.stdout.write(`workflow bundle written to ${target} (${(code.length / 1024).toFixed(0)} KiB)\n`);
  })
  .catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
