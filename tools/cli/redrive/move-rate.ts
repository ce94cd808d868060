// Apart from move-task.ts, which loads the SQS client: the command's usage text names it before anything is loaded.

/** SQS's limit on a move task's fixed rate. */
export const MAX_MOVE_MESSAGES_PER_SECOND = 500;
