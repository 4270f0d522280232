/**
 * `npm run lint:template`: renders the deployable template with the example params (offline) and runs
 * cfn-lint over it; fails on any error (warnings are printed). CI runs it (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageService } from './packageService.ts';

const packaged = packageService();
const fail = (message: string) => {
  console.error(`lint:template: ${message}`);
  process.exitCode = 1;
};
if (packaged.status !== 0) {
  process.stderr.write(packaged.output);
  fail('serverless package failed');
} else {
  const template = join(packaged.dir, 'cloudformation-template-update-stack.json');
  const lint = spawnSync('cfn-lint', ['--non-zero-exit-code', 'error', template], { stdio: 'inherit' });
  if (lint.error) fail(`cannot run cfn-lint (pip install cfn-lint): ${lint.error.message}`);
  else if (lint.status !== 0) fail(`cfn-lint found errors in the rendered template (exit ${lint.status})`);
  else console.log('lint:template: cfn-lint found no errors in the rendered template');
}
rmSync(packaged.dir, { recursive: true, force: true });
