import { z } from 'zod';

/** A required setting is missing or malformed. Permanent: fix the deployment. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const configSchema = z.object({
  /** Redis (ElastiCache / Valkey) URL, e.g. `redis://host:6379` or `rediss://` for TLS. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL'),
  /** URL of the claims queue. */
  CLAIMS_QUEUE_URL: z.string().url(),
  /** Deployment stage; `local` enables the `x-user-id` header. @defaultValue `'local'` */
  STAGE: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .default('local'),
  /** SQS endpoint override (LocalStack, fauxqs, ElasticMQ); unset on AWS. */
  SQS_ENDPOINT: z.string().url().optional(),
  /** @defaultValue `'us-east-1'` */
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /**
   * Longest a consumer waits for one packet's lock before handing its records back to SQS (retried after
   * the visibility timeout), so one hot packet cannot hold a whole batch until the function times out.
   * @defaultValue 5000
   */
  LOCK_WAIT_MS: z.coerce.number().int().min(0).max(900_000).default(5000),
});

export type Config = z.output<typeof configSchema>;

/** Reads and validates the function's settings from the environment; throws {@link ConfigError}. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse({
    ...env,
    SQS_ENDPOINT: env.SQS_ENDPOINT || undefined,
    LOCK_WAIT_MS: env.LOCK_WAIT_MS || undefined,
  });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new ConfigError(`invalid configuration: ${problems}`);
}
