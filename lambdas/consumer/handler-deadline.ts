/**
 * Time kept back from the handlers of a batch for what must still happen after a handler is given up on: its failure
 * line, releasing its idempotency record, the batch's answer to the event source and the metrics. Without it, one
 * handler that hangs holds the invocation until Lambda ends it, and the whole batch, finished records included, is
 * retried and in the end dead-lettered.
 */
export const HANDLER_TIME_RESERVE_MS = 1000;
