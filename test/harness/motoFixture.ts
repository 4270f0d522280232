import { spawn } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import {
  type ServerProcess,
  startServerProcess,
  trackServerProcess,
} from '../../infra/local/serverProcess.ts';

/** A private moto_server (AWS APIs, here Secrets Manager) on a loopback port, for one test file. */
export interface MotoFixture {
  /** `http://127.0.0.1:<port>`: the endpoint override for an AWS SDK client. */
  readonly endpoint: string;
}

/**
 * Starts `moto_server` (Python `moto[server]`, preinstalled on the CI image) for the calling test file: a
 * real implementation of the Secrets Manager API, so the functions' secret reading runs against an HTTP
 * server that signs, validates and answers like AWS, on loopback only.
 */
export function useMoto(): MotoFixture {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess({
      spawn: async (port) => {
        const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        trackServerProcess(child);
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk;
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          output += chunk;
        });
        const spawned = new Promise<void>((resolve, reject) => {
          child.once('error', (error) =>
            reject(new Error(`cannot run moto_server (pip install 'moto[server]'): ${error.message}`)),
          );
          child.once('spawn', () => resolve());
        });
        await spawned;
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          if (child.exitCode !== null) throw new Error(`moto_server exited before it was ready:\n${output}`);
          const ready = await fetch(`http://127.0.0.1:${port}/moto-api/`).then(
            (r) => r.ok,
            () => false,
          );
          if (ready) return child;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        child.kill('SIGKILL');
        throw new Error(`moto_server on port ${port} not ready after 30 s:\n${output}`);
      },
    });
  }, 40_000);
  afterAll(async () => {
    await server?.terminate('SIGTERM');
  });
  return {
    get endpoint() {
      if (!server) throw new Error('moto_server has not started (useMoto() must be called at file level)');
      return `http://127.0.0.1:${server.port}`;
    },
  };
}
