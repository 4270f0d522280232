/**
 * Serverless plugin: under `serverless offline start`, with `OFFLINE_SCHEDULE_SECONDS` set, invokes every
 * function that has a `schedule` event every that many seconds, through serverless-offline's Lambda
 * endpoint (the same handler the deployed schedule runs). serverless-offline's own scheduler runs them too,
 * but at most once a minute; tests and demos that wait for the sweeper set a few seconds here.
 */
import { invoker } from './invokeFunction.ts';

interface ServerlessLike {
  service: {
    custom?: Record<string, unknown>;
    getAllFunctions(): string[];
    getFunction(name: string): { name?: string; events?: Array<{ schedule?: unknown }> };
  };
}

interface PluginUtils {
  log: { notice(message: string): void; warning(message: string): void };
}

export default class OfflineScheduleTimer {
  readonly hooks: Record<string, () => Promise<void>>;
  readonly #serverless: ServerlessLike;
  readonly #log: PluginUtils['log'];
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(serverless: ServerlessLike, _options: unknown, utils: PluginUtils) {
    this.#serverless = serverless;
    this.#log = utils.log;
    this.hooks = {
      'offline:start:init': async () => this.#start(),
      'offline:start:end': async () => this.#stop(),
    };
  }

  #start(): void {
    const seconds = Number(process.env.OFFLINE_SCHEDULE_SECONDS ?? '');
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    const custom = this.#serverless.service.custom ?? {};
    const lambdaPort = Number(
      (custom['serverless-offline'] as { lambdaPort?: number | string } | undefined)?.lambdaPort ?? 3002,
    );
    for (const key of this.#serverless.service.getAllFunctions()) {
      const fn = this.#serverless.service.getFunction(key);
      if (!(fn.events ?? []).some((event) => event.schedule !== undefined)) continue;
      const invoke = invoker(lambdaPort, fn.name ?? key);
      let running = false;
      const tick = async () => {
        if (running) return; // never two runs of one function at once from this timer
        running = true;
        try {
          await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
        } catch (error) {
          this.#log.warning(`offline schedule: ${key} failed: ${String(error)}`);
        } finally {
          running = false;
        }
      };
      this.#timers.push(setInterval(() => void tick(), seconds * 1000));
      this.#log.notice(`offline schedule: ${key} every ${seconds} s`);
    }
  }

  #stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }
}
