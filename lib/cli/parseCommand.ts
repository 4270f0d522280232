import { parseArgs } from 'node:util';
import { batchIdSchema, ownerIdSchema } from '../packets/schemas.ts';
import { CliError, EXIT } from './CliError.ts';

/** Where the CLI finds Redis and the queue: flags first, then the functions' environment variables. */
export interface Connection {
  /** `--redis-url`, else `REDIS_URL` (with `cluster`: comma-separated seed nodes). */
  redisUrl: string | undefined;
  /** `--redis-mode`, else `REDIS_MODE`. @defaultValue `'standalone'` */
  redisMode: 'standalone' | 'cluster';
  /** `--queue-url`, else `CLAIMS_QUEUE_URL`. */
  queueUrl: string | undefined;
  /** `--sqs-endpoint`, else `SQS_ENDPOINT` (LocalStack, fauxqs); unset on AWS. */
  sqsEndpoint: string | undefined;
  /** `--region`, else `AWS_REGION`. @defaultValue `'us-east-1'` */
  region: string;
}

/** How often `packets watch` reads the packet and the queues by default, in ms. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;

/** How long `--wait` waits by default for the last item to be decided, in seconds. */
export const DEFAULT_WAIT_TIMEOUT_S = 600;

/** A parsed command line. */
export type Command = { json: boolean; connection: Connection } & (
  | { name: 'help' }
  | {
      name: 'packets create';
      owner: string;
      fundReference: string | undefined;
      totalAmount: number;
      count: number;
      mode?: string;
      expiresInSeconds?: number;
    }
  | { name: 'packets show' | 'packets settle' | 'packets export'; packetId: string }
  | { name: 'packets watch'; packetId: string; intervalMs: number }
  | { name: 'balances credit'; owner: string; amount: number; reference: string }
  | { name: 'balances show'; owner: string }
  | {
      name: 'payouts submit';
      packetId: string;
      file: string;
      format: 'csv' | 'json';
      batchId: string | undefined;
      skipInvalid: boolean;
      allowRepeatPayees: boolean;
      senders: number;
      wait: boolean;
      waitTimeoutS: number;
    }
  | { name: 'payouts status'; batchId: string; wait: boolean; waitTimeoutS: number }
  | { name: 'reconcile'; packetId: string | undefined; owner: string | undefined; stuckAfterS: number }
);

/** Who owns what the CLI creates, unless `--owner` says: the operators' shared account. */
export const DEFAULT_CLI_OWNER = 'op:cli';

/** How long a record may stay queued before `reconcile` reports it stuck, in seconds, by default. */
export const DEFAULT_STUCK_AFTER_S = 900;

export const USAGE = `Usage: red-packets <command> [flags]

Commands:
  balances credit  --owner <id> --amount <minor units> --reference <id>   (once per reference)
  balances show    --owner <id>
  packets create   --total <minor units> --count <shares> [--mode random|equal] [--expires-in <s>]
                   [--owner <id>] [--fund-reference <id>]   (funded from the owner's balance;
                   --fund-reference first credits it with the amount; owner default op:cli)
  packets show     --packet <id>
  packets settle   --packet <id>   (refund an expired packet's remainder to its owner, once)
  packets export   --packet <id>   (its ledger as JSON lines, for before its retention ends)
  packets watch    --packet <id> [--interval <ms>]   (remaining, shares, paid/s, claims queued, queue
                   and DLQ depth, redrawn every second; exits 0 once every share is paid or the packet
                   is settled, 1 when stopped first; plain lines when stdout is not a terminal)
  payouts submit   --packet <id> --file <winners.csv|.json> [--format csv|json] [--batch-id <id>]
                   [--allow-repeat-payees] [--skip-invalid] [--senders <n>] [--wait] [--wait-timeout <s>]
  payouts status   --batch <id> [--wait] [--wait-timeout <s>]
  reconcile        --packet <id> [--stuck-after <s>] | --owner <id>

A batch item is (batch, user). The batch id is --batch-id, or derived from the packet and the rows
(the same rows give the same id whatever the file's layout). By default a packet pays a user at most
once across all its batches; --allow-repeat-payees (with --batch-id) pays this batch's users again.

Connection (flags override the environment):
  --redis-url <url>      REDIS_URL (cluster: comma-separated seed nodes)
  --redis-mode <mode>    REDIS_MODE: standalone (default) or cluster
                         (REDIS_MIN_REPLICAS, REDIS_WAIT_TIMEOUT_MS, MAX_OPEN_PACKETS_PER_SENDER,
                         MAX_PACKET_AMOUNT, PACKET_RETENTION_DAYS are read as the functions read them)
  --queue-url <url>      CLAIMS_QUEUE_URL (payouts submit; packets watch reads its depths)
  --sqs-endpoint <url>   SQS_ENDPOINT (LocalStack, fauxqs; unset on AWS)
  --region <region>      AWS_REGION (default us-east-1)

Other flags:
  --json   print the final report as JSON on stdout (progress stays on stderr)
  --help   this text

Exit codes: 0 done; 1 something was rejected, lost, undecided or does not reconcile;
            2 bad flags or file (nothing enqueued); 3 Redis or SQS unavailable (safe to re-run).
`;

const options = {
  'redis-url': { type: 'string' },
  'redis-mode': { type: 'string' },
  'queue-url': { type: 'string' },
  'sqs-endpoint': { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  total: { type: 'string' },
  count: { type: 'string' },
  mode: { type: 'string' },
  'expires-in': { type: 'string' },
  packet: { type: 'string' },
  batch: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  'batch-id': { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  'allow-repeat-payees': { type: 'boolean' },
  'stuck-after': { type: 'string' },
  owner: { type: 'string' },
  amount: { type: 'string' },
  reference: { type: 'string' },
  'fund-reference': { type: 'string' },
  senders: { type: 'string' },
  wait: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  interval: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** Flags each command accepts, besides the connection flags, `--json` and `--help`. */
const allowed: Record<Exclude<Command['name'], 'help'>, ReadonlyArray<keyof Flags>> = {
  'balances credit': ['owner', 'amount', 'reference'],
  'balances show': ['owner'],
  'packets create': ['total', 'count', 'mode', 'expires-in', 'owner', 'fund-reference'],
  'packets show': ['packet'],
  'packets settle': ['packet'],
  'packets export': ['packet'],
  'packets watch': ['packet', 'interval'],
  'payouts submit': [
    'packet',
    'file',
    'format',
    'batch-id',
    'allow-repeat-payees',
    'skip-invalid',
    'senders',
    'wait',
    'wait-timeout',
  ],
  'payouts status': ['batch', 'wait', 'wait-timeout'],
  reconcile: ['packet', 'stuck-after', 'owner'],
};
const common = new Set(['redis-url', 'redis-mode', 'queue-url', 'sqs-endpoint', 'region', 'json', 'help']);

const usageError = (message: string) => new CliError(`${message}\n\n${USAGE}`, EXIT.usage);

/**
 * Parses the command line (without `node` and the script) into a {@link Command}; throws {@link CliError}
 * with exit code 2 and the usage text for an unknown command, an unknown or misplaced flag, a missing
 * required flag or a malformed value.
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const redisMode = values['redis-mode'] ?? (env.REDIS_MODE || 'standalone');
  if (redisMode !== 'standalone' && redisMode !== 'cluster') {
    throw usageError(`--redis-mode must be standalone or cluster, got "${redisMode}"`);
  }
  const connection: Connection = {
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || undefined),
    redisMode,
    queueUrl: values['queue-url'] ?? (env.CLAIMS_QUEUE_URL || undefined),
    sqsEndpoint: values['sqs-endpoint'] ?? (env.SQS_ENDPOINT || undefined),
    region: values.region ?? (env.AWS_REGION || 'us-east-1'),
  };
  const base = { json: values.json === true, connection };
  if (values.help || positionals.length === 0) return { ...base, name: 'help' };

  const name = positionals.join(' ');
  if (!(name in allowed)) throw usageError(`unknown command "${name}"`);
  const command = name as keyof typeof allowed;
  for (const flag of Object.keys(values)) {
    if (!common.has(flag) && !allowed[command].includes(flag as keyof Flags)) {
      throw usageError(`"${command}" does not take --${flag}`);
    }
  }
  const required = (flag: keyof Flags): string => {
    const value = values[flag];
    if (typeof value !== 'string' || value === '') throw usageError(`"${command}" needs --${flag}`);
    return value;
  };
  const wait = { wait: values.wait === true, waitTimeoutS: optionalInt(values, 'wait-timeout', 1, 86_400) };

  switch (command) {
    case 'balances credit':
      return {
        ...base,
        name: command,
        owner: owner(required('owner')),
        amount: int(required('amount'), 'amount', 1, Number.MAX_SAFE_INTEGER),
        reference: id(required('reference'), 'reference'),
      };
    case 'balances show':
      return { ...base, name: command, owner: owner(required('owner')) };
    case 'packets create':
      return {
        ...base,
        name: command,
        owner: owner(values.owner ?? DEFAULT_CLI_OWNER),
        fundReference:
          values['fund-reference'] === undefined ? undefined : id(values['fund-reference'], 'fund-reference'),
        totalAmount: int(required('total'), 'total', 1, Number.MAX_SAFE_INTEGER),
        count: int(required('count'), 'count', 1, Number.MAX_SAFE_INTEGER),
        ...(values.mode === undefined ? {} : { mode: values.mode }),
        ...(values['expires-in'] === undefined
          ? {}
          : { expiresInSeconds: int(values['expires-in'], 'expires-in', 1, Number.MAX_SAFE_INTEGER) }),
      };
    case 'packets watch':
      return {
        ...base,
        name: command,
        packetId: required('packet'),
        intervalMs:
          values.interval === undefined
            ? DEFAULT_WATCH_INTERVAL_MS
            : int(values.interval, 'interval', 100, 60_000),
      };
    case 'packets show':
    case 'packets settle':
    case 'packets export':
      return { ...base, name: command, packetId: required('packet') };
    case 'reconcile':
      if ((values.packet === undefined) === (values.owner === undefined)) {
        throw usageError('"reconcile" needs either --packet or --owner');
      }
      return {
        ...base,
        name: command,
        packetId: values.packet,
        owner: values.owner === undefined ? undefined : owner(values.owner),
        stuckAfterS:
          values['stuck-after'] === undefined
            ? DEFAULT_STUCK_AFTER_S
            : int(values['stuck-after'], 'stuck-after', 1, 30 * 86_400),
      };
    case 'payouts submit': {
      const file = required('file');
      const format = values.format ?? (/\.json$/i.test(file) ? 'json' : 'csv');
      if (format !== 'csv' && format !== 'json') throw usageError('--format must be csv or json');
      const allowRepeatPayees = values['allow-repeat-payees'] === true;
      if (allowRepeatPayees && values['batch-id'] === undefined) {
        throw usageError(
          '--allow-repeat-payees needs --batch-id (each round that may pay a user again is its own named batch)',
        );
      }
      return {
        ...base,
        name: command,
        packetId: required('packet'),
        file,
        format,
        batchId: values['batch-id'] === undefined ? undefined : id(values['batch-id'], 'batch-id'),
        skipInvalid: values['skip-invalid'] === true,
        allowRepeatPayees,
        senders: values.senders === undefined ? 8 : int(values.senders, 'senders', 1, 64),
        ...wait,
      };
    }
    case 'payouts status':
      return { ...base, name: command, batchId: id(required('batch'), 'batch'), ...wait };
  }
}

function int(text: string, flag: string, min: number, max: number): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function optionalInt(values: Flags, flag: 'wait-timeout', min: number, max: number): number {
  const text = values[flag];
  return text === undefined ? DEFAULT_WAIT_TIMEOUT_S : int(text, flag, min, max);
}

function owner(text: string): string {
  const parsed = ownerIdSchema.safeParse(text);
  if (!parsed.success) throw usageError(`--owner: ${parsed.error.issues[0]?.message ?? 'invalid owner'}`);
  return parsed.data;
}

function id(text: string, flag: string): string {
  const parsed = batchIdSchema.safeParse(text);
  if (!parsed.success) throw usageError(`--${flag}: ${parsed.error.issues[0]?.message ?? 'invalid id'}`);
  return parsed.data;
}
