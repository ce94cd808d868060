/** Stack outputs that tools read back from a deployed stack (`history --stack`, `replay --stack`). Keep them stable. */
export const StackOutput = {
  QUEUE_URL: 'QueueUrl',
  HISTORY_TABLE_NAME: 'HistoryTableName',
  HISTORY_RETENTION_DAYS: 'HistoryRetentionDays',
  /** Present when the stack has a reconciliation queue (`reconcilerArns`). */
  RECONCILIATION_QUEUE_URL: 'ReconciliationQueueUrl',
} as const;
