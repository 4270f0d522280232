import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_PARAMS } from './exampleParams.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Packaged {
  /** serverless's exit status: 0 when it packaged. */
  status: number | null;
  /** Its stdout and stderr, together. */
  output: string;
  /** Where the template, the state file and the zips went. */
  dir: string;
}

/**
 * `serverless package` of this service into a fresh directory, without touching the network: the
 * deployable template, `serverless-state.json` and one zip per function. `env` replaces the packaging
 * shell's environment (beyond PATH and HOME), so a test can show that none of it leaks into the template.
 * `stage: null` passes no `--stage` (the service's default).
 */
export function packageService(
  options: {
    stage?: string | null;
    params?: Readonly<Record<string, string>>;
    env?: Record<string, string>;
  } = {},
): Packaged {
  const dir = mkdtempSync(join(tmpdir(), 'rp-package-'));
  const params = Object.entries(options.params ?? EXAMPLE_PARAMS).flatMap(([k, v]) => [
    '--param',
    `${k}=${v}`,
  ]);
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/serverless/bin/serverless.js'),
      'package',
      ...(options.stage === null ? [] : ['--stage', options.stage ?? 'prod']),
      '--package',
      dir,
      ...params,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        ...options.env,
      },
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}`, dir };
}

/** The rendered CloudFormation template of a successful {@link packageService}. */
export function readTemplate(packaged: Packaged): {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; [k: string]: unknown }>;
  Outputs?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
} {
  if (packaged.status !== 0) throw new Error(`serverless package failed:\n${packaged.output}`);
  return JSON.parse(readFileSync(join(packaged.dir, 'cloudformation-template-update-stack.json'), 'utf8'));
}
