import { PacketError } from '../packets/index.ts';

/** The claims queue refused a message; the claim was withdrawn, so the client may simply retry. */
export class ClaimQueueError extends PacketError {
  readonly claimId: string;

  constructor(packetId: string, claimId: string, cause: unknown) {
    super('queue_unavailable', 'the claim could not be queued; retry later', {
      packetId,
      retryable: true,
      cause,
    });
    this.name = 'ClaimQueueError';
    this.claimId = claimId;
  }
}
