import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * Powertools idempotency records in a Map, with the same conditional put as DynamoDBPersistenceLayer:
 * a key can be taken only if absent, expired, or in progress past its in-progress expiry.
 * `failWith` makes every call reject, to test an unreachable table.
 */
export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  public readonly records = new Map<string, IdempotencyRecord>();
  public failWith: Error | undefined;

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    this.throwIfFailing();
    const record = this.records.get(idempotencyKey);
    if (record === undefined) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    this.throwIfFailing();
    const existing = this.records.get(record.idempotencyKey);
    const now = Date.now();
    const free =
      existing === undefined ||
      (existing.expiryTimestamp ?? 0) < now / 1000 ||
      (existing.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < now);
    if (!free) throw new IdempotencyItemAlreadyExistsError(`Key ${record.idempotencyKey} exists`, existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.throwIfFailing();
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.throwIfFailing();
    this.records.delete(record.idempotencyKey);
  }

  private throwIfFailing(): void {
    if (this.failWith !== undefined) throw this.failWith;
  }
}
