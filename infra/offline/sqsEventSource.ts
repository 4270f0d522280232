/**
 * Serverless plugin: under `serverless offline start`, polls each SQS queue a function subscribes to and
 * invokes the function through serverless-offline's Lambda endpoint, like Lambda's SQS event source
 * (see SqsEventSourcePoller). Queue URLs come from `custom.offlineSqs.queueUrls` (logical id → URL) and the
 * endpoint from `SQS_ENDPOINT`; `npm start` sets both. Without an endpoint the plugin stays idle.
 *
 * Why not serverless-offline-sqs: it deletes messages the handler reported as failed and adds ~5 s of
 * latency per batch.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { invoker } from './invokeFunction.ts';
import { type EventSourceSettings, SqsEventSourcePoller } from './SqsEventSourcePoller.ts';

interface SqsEventConfig {
  arn: unknown;
  batchSize?: number;
  maximumBatchingWindow?: number;
  maximumConcurrency?: number;
  functionResponseType?: string;
}

interface ServerlessLike {
  service: {
    custom?: Record<string, unknown>;
    provider: { region?: string };
    getAllFunctions(): string[];
    getFunction(name: string): { name?: string; events?: Array<{ sqs?: SqsEventConfig }> };
  };
}

interface PluginUtils {
  log: { notice(message: string): void; warning(message: string): void; error(message: string): void };
}

export default class OfflineSqsEventSource {
  readonly hooks: Record<string, () => Promise<void>>;
  readonly #serverless: ServerlessLike;
  readonly #log: PluginUtils['log'];
  readonly #pollers: SqsEventSourcePoller[] = [];

  constructor(serverless: ServerlessLike, _options: unknown, utils: PluginUtils) {
    this.#serverless = serverless;
    this.#log = utils.log;
    this.hooks = {
      'offline:start:init': () => this.#start(),
      'offline:start:end': () => this.#stop(),
    };
  }

  async #start(): Promise<void> {
    const endpoint = process.env.SQS_ENDPOINT;
    if (!endpoint) {
      this.#log.warning('offline SQS event source idle: set SQS_ENDPOINT (npm start does)');
      return;
    }
    const custom = this.#serverless.service.custom ?? {};
    const config = (custom.offlineSqs ?? {}) as { queueUrls?: Record<string, string>; pollers?: number };
    const offline = (custom['serverless-offline'] ?? {}) as { lambdaPort?: number | string };
    const region = this.#serverless.service.provider.region ?? 'us-east-1';
    // Receives wait at most 2 s (long polling), so a request that takes 10 s is stuck, not slow.
    const sqs = new SQSClient({
      region,
      endpoint,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 10_000 },
    });
    for (const name of this.#serverless.service.getAllFunctions()) {
      for (const event of this.#serverless.service.getFunction(name).events ?? []) {
        if (!event.sqs) continue;
        const logicalId = logicalIdOf(event.sqs.arn);
        const queueUrl = logicalId ? config.queueUrls?.[logicalId] : undefined;
        if (!queueUrl) {
          this.#log.warning(`offline SQS: no URL for the queue of ${name} (custom.offlineSqs.queueUrls)`);
          continue;
        }
        const settings: EventSourceSettings = {
          queueUrl,
          queueArn: `arn:aws:sqs:${region}:000000000000:${queueUrl.split('/').pop()}`,
          region,
          batchSize: event.sqs.batchSize ?? 10,
          maximumBatchingWindow: event.sqs.maximumBatchingWindow ?? 0,
          pollers: Math.max(1, Math.min(event.sqs.maximumConcurrency ?? 4, Number(config.pollers ?? 4))),
          reportBatchItemFailures: event.sqs.functionResponseType === 'ReportBatchItemFailures',
        };
        // serverless-offline's invoke API knows functions by their deployed name (service-stage-key).
        const invoke = invoker(
          Number(offline.lambdaPort ?? 3002),
          this.#serverless.service.getFunction(name).name ?? name,
        );
        const poller = new SqsEventSourcePoller(sqs, settings, invoke, {
          onBatch: ({ records, failed, error }) => {
            if (error && records === 0) this.#log.error(`offline SQS poll failed: ${String(error)}`);
            else if (failed > 0)
              this.#log.notice(`offline SQS → ${name}: ${records} records, ${failed} to retry`);
          },
        });
        poller.start();
        this.#pollers.push(poller);
        this.#log.notice(`offline SQS: ${settings.pollers} pollers on ${queueUrl} → ${name}`);
      }
    }
  }

  async #stop(): Promise<void> {
    await Promise.all(this.#pollers.map((p) => p.stop()));
  }
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` (what `!GetAtt Id.Arn` parses to) → id. */
function logicalIdOf(arn: unknown): string | undefined {
  const getAtt = (arn as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}
