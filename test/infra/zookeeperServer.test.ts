import { describe, expect, it } from 'vitest';
import { startZooKeeperServer, ZooKeeperServerNotFoundError } from '../../infra/local/zookeeperServer.ts';

describe('startZooKeeperServer', () => {
  it('says how to install ZooKeeper when its jars are missing', async () => {
    const started = startZooKeeperServer({ jarDir: '/nonexistent/zookeeper-jars' });
    await expect(started).rejects.toBeInstanceOf(ZooKeeperServerNotFoundError);
    await expect(started).rejects.toThrow(/apt-get install zookeeper.*ZOOKEEPER_CONNECT/s);
  });
});
