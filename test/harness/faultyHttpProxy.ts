import { createServer, type IncomingMessage, request, type Server } from 'node:http';

/**
 * An HTTP proxy in front of a real server (the SQS emulator) that can lose replies: with `dropReplies`
 * set, a request whose `x-amz-target` matches is forwarded and answered by the real server, and then the
 * proxy resets the client's connection instead of relaying the answer. The caller sees a failure although
 * the server did the work: the ambiguous failure ("SQS got the message, the reply was lost").
 */
export interface FaultyProxy {
  readonly endpoint: string;
  /** Targets (e.g. `AmazonSQS.SendMessage`) whose replies are lost; empty to pass everything. */
  dropReplies: Set<string>;
  /** Requests that reached the real server with a lost reply. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  let dropped = 0;
  const dropReplies = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (reply: IncomingMessage) => {
          const body: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => body.push(chunk));
          reply.on('end', () => {
            if (dropReplies.has(String(req.headers['x-amz-target'] ?? ''))) {
              dropped += 1;
              req.socket.destroy(); // the work is done upstream; the answer never arrives
              return;
            }
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dropReplies,
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
