import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The user's own PATH: without the node_modules/.bin directories `npm test` puts first. */
const userPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter);

/**
 * `npx red-packets --help` run the first time in a fresh checkout of the project (its package.json,
 * optionally changed, beside links to the code and the installed node_modules), from the system npm.
 */
function npxInFreshCheckout(change: (pkg: Record<string, unknown>) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rp-npx-'));
  dirs.push(dir);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  change(pkg);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const entry of ['node_modules', 'infra', 'lib']) symlinkSync(join(ROOT, entry), join(dir, entry));
  // Offline: npx must find the project's own bin, never ask the registry (no network in tests).
  const env = { ...process.env, PATH: userPath, npm_config_offline: 'true' };
  const node = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
  const run = spawnSync('npx', ['red-packets', '--help'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { node, ...run };
}

it('`npx red-packets` from the system npm runs the CLI on Node 24, without npm engine warnings', () => {
  const run = npxInFreshCheckout();

  // The help came from the CLI (on the project's Node 24, found through node_modules/.bin), and npm said
  // nothing about engines: the package declares none (the npm-script guard and the CLI check the Node).
  expect(run.status, `${run.node}: ${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('Usage: red-packets');
  expect(run.stderr).not.toMatch(/EBADENGINE|Unsupported engine/);
});

it('control: with an engines field for Node 24, npm warns on a system Node that is not 24', () => {
  const run = npxInFreshCheckout((pkg) => {
    pkg.engines = { node: '>=24 <25' };
  });

  expect(run.status).toBe(0);
  if (run.node.startsWith('v24.')) expect(run.stderr).not.toMatch(/EBADENGINE/);
  else expect(run.stderr).toMatch(/EBADENGINE/);
});
