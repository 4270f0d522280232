import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startZooKeeperServer, type ZooKeeperServer } from '../../infra/local/zookeeperServer.ts';
import { ZooKeeperSession, type ZooKeeperSessionOptions } from '../../lib/lock/zookeeper/index.ts';
import { killAllWorkers } from './spawnWorker.ts';

/** A private ZooKeeper for one test file, a fresh chroot per test, and sessions closed after each test. */
export interface ZooKeeperFixture {
  readonly server: ZooKeeperServer;
  /** `127.0.0.1:<port>/t<n>`: a chroot of its own for the current test, so no znode leaks between tests. */
  readonly connectString: string;
  /** A new session on this test's chroot, closed after the test. */
  session(options?: ZooKeeperSessionOptions): ZooKeeperSession;
}

/**
 * Starts a standalone ZooKeeper (free loopback port, temporary data dir, 200 ms tick so 2-4 s session
 * timeouts expire on time) for the calling test file. After each test: kills leftover workers, closes the
 * test's sessions, and resumes or restarts the server if the test paused or killed it.
 */
export function useZooKeeper(): ZooKeeperFixture {
  let server: ZooKeeperServer | undefined;
  let test = 0;
  const sessions = new Set<ZooKeeperSession>();
  beforeAll(async () => {
    server = await startZooKeeperServer();
  }, 60_000);
  beforeEach(() => {
    test++;
  });
  afterEach(async () => {
    await killAllWorkers();
    await Promise.all([...sessions].map((s) => s.close()));
    sessions.clear();
    if (!server) return;
    server.resume();
    if (!server.running) await server.restart();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const need = (): ZooKeeperServer => {
    if (!server) throw new Error('useZooKeeper(): the server is not started yet (call inside a test)');
    return server;
  };
  return {
    get server() {
      return need();
    },
    get connectString() {
      return `${need().connectString}/t${test}`;
    },
    session(options = {}) {
      const session = new ZooKeeperSession(`${need().connectString}/t${test}`, options);
      sessions.add(session);
      return session;
    },
  };
}
