import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/** The narrow slice of an ioredis client (single node or cluster) that running scripts needs. */
export type ScriptClient =
  | Pick<Redis, 'evalsha' | 'eval' | 'pipeline'>
  | Pick<Cluster, 'evalsha' | 'eval' | 'pipeline'>;

/** Argument accepted by a script. */
export type ScriptArg = string | number;

/** Queues more commands on a pipeline, to ride in the same round trip as a script. */
export type PipelineReads = (pipeline: ChainableCommander) => void;

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it (NOSCRIPT). */
export interface Script<TResult> {
  readonly lua: string;
  readonly sha1: string;
  run(client: ScriptClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<TResult>;
  /**
   * Runs the script and, right behind it in the same pipeline (one round trip), the commands `reads`
   * queues. Resolves with the script's reply and the replies of those commands; rejects on the first error.
   */
  runThen(
    client: ScriptClient,
    keys: readonly string[],
    args: readonly ScriptArg[],
    reads: PipelineReads,
  ): Promise<[TResult, unknown[]]>;
}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT');

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
        if (!isNoScript(error)) throw error;
        return (await client.eval(lua, keys.length, ...keys, ...args)) as TResult;
      }
    },
    async runThen(client, keys, args, reads) {
      const send = (load: boolean) => {
        const pipeline = client.pipeline();
        if (load) pipeline.eval(lua, keys.length, ...keys, ...args);
        else pipeline.evalsha(sha1, keys.length, ...keys, ...args);
        reads(pipeline);
        return pipeline.exec();
      };
      let results = await send(false);
      // NOSCRIPT: the script did not run, so neither did anything it guards; send everything again.
      if (isNoScript(results?.[0]?.[0])) results = await send(true);
      if (!results) throw new Error('pipeline was discarded');
      const replies = results.map(([error, reply]) => {
        if (error) throw error;
        return reply;
      });
      return [replies[0] as TResult, replies.slice(1)];
    },
  };
}
