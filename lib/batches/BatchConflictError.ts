import { PacketError } from '../packets/errors.ts';

/**
 * A batch id that is already recorded with other terms: for another packet, or with another
 * `allowRepeatPayees`. Permanent: pick another batch id (or submit with the batch's own terms).
 */
export class BatchConflictError extends PacketError {
  readonly batchId: string;

  constructor(batchId: string, message: string, packetId?: string) {
    super('batch_conflict', message, { retryable: false, ...(packetId ? { packetId } : {}) });
    this.name = 'BatchConflictError';
    this.batchId = batchId;
  }
}
