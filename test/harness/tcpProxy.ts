import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server (Redis) that can be made to misbehave the way networks do, so a
 * client's behaviour under a blip is tested against the real server: replies delayed, a reply lost after
 * the server did the work, a request failed before it reaches the server.
 */
export interface TcpProxy {
  /** `redis://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Delay added to every reply (server → client), ms. @defaultValue 0 */
  latencyMs: number;
  /**
   * The next request that contains `marker` (e.g. a script's SHA1) is forwarded and run by the server, then
   * its reply is dropped and the client's connection cut: the client cannot tell whether it ran.
   */
  dropReplyTo(marker: string): void;
  /**
   * The next request that contains `marker` never reaches the server: the proxy answers it with a Redis
   * error reply (`-ERR`) instead, as a failed command.
   */
  failNext(marker: string): void;
  /** Requests whose reply was dropped, and requests failed, so far. */
  readonly dropped: number;
  readonly failed: number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port in front of `target` (`redis://host:port`). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let dropMarker: string | undefined;
  let failMarker: string | undefined;
  let dropped = 0;
  let failed = 0;
  let url = '';
  const proxy: TcpProxy = {
    get url() {
      return url;
    },
    latencyMs: 0,
    dropReplyTo(marker) {
      dropMarker = marker;
    },
    failNext(marker) {
      failMarker = marker;
    },
    get dropped() {
      return dropped;
    },
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const remote = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(remote);
    let dropNextReply = false;
    const cut = () => {
      client.destroy();
      remote.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (failMarker && text.includes(failMarker)) {
        failMarker = undefined;
        failed += 1;
        client.write('-ERR failed by the test proxy\r\n');
        return;
      }
      if (dropMarker && text.includes(dropMarker)) {
        dropMarker = undefined;
        dropNextReply = true;
      }
      remote.write(chunk);
    });
    remote.on('data', (chunk: Buffer) => {
      if (dropNextReply) {
        dropped += 1;
        cut();
        return;
      }
      if (proxy.latencyMs > 0) setTimeout(() => client.writable && client.write(chunk), proxy.latencyMs);
      else client.write(chunk);
    });
    for (const socket of [client, remote]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('tcp proxy did not bind');
  url = `redis://127.0.0.1:${address.port}`;
  return proxy;
}
