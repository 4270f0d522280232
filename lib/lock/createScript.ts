import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** The narrow slice of an ioredis client (single node or cluster) that running scripts needs. */
export type ScriptClient = Pick<Redis, 'evalsha' | 'eval'> | Pick<Cluster, 'evalsha' | 'eval'>;

/** Argument accepted by a script. */
export type ScriptArg = string | number;

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it (NOSCRIPT). */
export interface Script<TResult> {
  readonly lua: string;
  readonly sha1: string;
  run(client: ScriptClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<TResult>;
}

/**
 * Wraps `lua` so it costs one round trip in the common case: EVALSHA, and after a server restart or
 * SCRIPT FLUSH (NOSCRIPT) one EVAL that also loads it again. `TResult` documents what the script returns;
 * it is not checked at run time, so every caller decodes the reply defensively.
 */
export function createScript<TResult>(lua: string): Script<TResult> {
  const sha1 = createHash('sha1').update(lua).digest('hex');
  return {
    lua,
    sha1,
    async run(client, keys, args) {
      try {
        return (await client.evalsha(sha1, keys.length, ...keys, ...args)) as TResult;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return (await client.eval(lua, keys.length, ...keys, ...args)) as TResult;
      }
    },
  };
}
