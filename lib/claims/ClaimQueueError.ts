import { PacketError } from '../packets/index.ts';

/**
 * The claims queue definitely refused a claim's message and the claim was withdrawn: nothing was accepted,
 * so the client may simply retry.
 */
export class ClaimQueueError extends PacketError {
  readonly claimId: string;

  constructor(packetId: string, claimId: string, cause: unknown) {
    super('queue_unavailable', 'the claim could not be queued and was not accepted; retry later', {
      packetId,
      retryable: true,
      cause,
    });
    this.name = 'ClaimQueueError';
    this.claimId = claimId;
  }
}
