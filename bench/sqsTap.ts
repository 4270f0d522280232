import { createServer, type IncomingMessage, request, type Server } from 'node:http';

/** What went through an {@link SqsTap} for the messages one predicate selects. */
export interface SqsTapCounts {
  /** Messages the queue accepted (SendMessage, and the successful entries of SendMessageBatch). */
  sent: number;
  /** Messages the queue handed to consumers (ReceiveMessage), redeliveries included. */
  delivered: number;
  /**
   * Consumer invocations that carried at least one of them: receives that open a batch (the event
   * source's long poll, `WaitTimeSeconds` > 0) and returned messages. The receives that fill the batching
   * window after it (`WaitTimeSeconds` 0) join the same invocation.
   */
  invocations: number;
}

/**
 * An HTTP proxy in front of an SQS endpoint (fauxqs) that forwards everything and records what the queue
 * was sent and what it delivered, so a bench or a test can count the messages at the emulator rather than
 * trust the senders' own tallies: point the producers (and, for deliveries, the consumers) at `endpoint`.
 */
export interface SqsTap {
  readonly endpoint: string;
  /** Counts for the message bodies `match` selects (e.g. those of one packet). */
  count(match: (body: string) => boolean): SqsTapCounts;
  close(): Promise<void>;
}

interface Delivery {
  longPoll: boolean;
  bodies: string[];
}

/** Starts a tap on a free loopback port in front of `target` (an `http://host:port` SQS endpoint). */
export async function startSqsTap(target: string): Promise<SqsTap> {
  const upstream = new URL(target);
  const sent: string[] = [];
  const deliveries: Delivery[] = [];
  const record = (action: string, requestBody: string, status: number, replyBody: string) => {
    if (status < 200 || status >= 300) return;
    const ask = parse(requestBody);
    const reply = parse(replyBody);
    if (action === 'SendMessage' && typeof ask.MessageBody === 'string') sent.push(ask.MessageBody);
    if (action === 'SendMessageBatch' && Array.isArray(ask.Entries)) {
      const ok = new Set((reply.Successful as Array<{ Id?: string }> | undefined)?.map((e) => e.Id) ?? []);
      for (const entry of ask.Entries as Array<{ Id?: string; MessageBody?: string }>) {
        if (ok.has(entry.Id) && typeof entry.MessageBody === 'string') sent.push(entry.MessageBody);
      }
    }
    if (action === 'ReceiveMessage' && Array.isArray(reply.Messages) && reply.Messages.length > 0) {
      deliveries.push({
        longPoll: Number(ask.WaitTimeSeconds ?? 0) > 0,
        bodies: (reply.Messages as Array<{ Body?: string }>).map((m) => m.Body ?? ''),
      });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (reply: IncomingMessage) => {
          const replyChunks: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => replyChunks.push(chunk));
          reply.on('end', () => {
            const replyBody = Buffer.concat(replyChunks);
            const target = String(req.headers['x-amz-target'] ?? '');
            if (target.startsWith('AmazonSQS.')) {
              record(
                target.slice('AmazonSQS.'.length),
                body.toString(),
                reply.statusCode ?? 0,
                replyBody.toString(),
              );
            }
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            res.end(replyBody);
          });
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    count(match) {
      const mine = deliveries.map((d) => ({ longPoll: d.longPoll, n: d.bodies.filter(match).length }));
      return {
        sent: sent.filter(match).length,
        delivered: mine.reduce((sum, d) => sum + d.n, 0),
        invocations: mine.filter((d) => d.longPoll && d.n > 0).length,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
