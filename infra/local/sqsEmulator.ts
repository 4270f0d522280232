import { buildApp } from 'fauxqs';

/** A running SQS emulator (fauxqs) on loopback. */
export interface SqsEmulator {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs on 127.0.0.1 (its own `startFauxqs` binds every interface, which a laptop should not
 * expose). State is in memory. @param port 0 for a free port.
 */
export async function startSqsEmulator(port = 4566): Promise<SqsEmulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port, host: '127.0.0.1' });
  const actual = Number(new URL(address).port);
  return { endpoint: `http://127.0.0.1:${actual}`, port: actual, stop: () => app.close() };
}
