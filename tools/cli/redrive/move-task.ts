import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  ListMessageMoveTasksResultEntry,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

export { MAX_MOVE_MESSAGES_PER_SECOND } from './move-rate';

/** IAM actions each step needs on the dead-letter queue, named in access-denied messages. */
export const MOVE_TASK_PERMISSIONS = {
  start: [
    'sqs:StartMessageMoveTask',
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:SendMessage (on the destination)',
  ],
  list: ['sqs:ListMessageMoveTasks'],
  cancel: ['sqs:CancelMessageMoveTask'],
} as const;

export interface StartMoveTaskInput {
  readonly dlqArn: string;
  /** Absent: SQS moves each message back to the queue it came from. */
  readonly destinationArn?: string;
  /** Absent: SQS picks the rate from the backlog. */
  readonly maxPerSecond?: number;
}

/** Starts a server-side move of every message in the DLQ; returns the task handle (for cancelling). */
export async function startMoveTask(sqs: SQSClient, input: StartMoveTaskInput): Promise<string> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: input.dlqArn,
      DestinationArn: input.destinationArn,
      MaxNumberOfMessagesPerSecond: input.maxPerSecond,
    }),
  );
  if (TaskHandle === undefined)
    throw new Error(`SQS started a move task for ${input.dlqArn} but returned no task handle.`);
  return TaskHandle;
}

/** The most recent move tasks (up to 10) out of the DLQ, newest first. */
export async function listMoveTasks(sqs: SQSClient, dlqArn: string): Promise<ListMessageMoveTasksResultEntry[]> {
  const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
  return Results ?? [];
}

/** Cancels a running task; returns how many messages it had moved. Moved messages stay moved. */
export async function cancelMoveTask(sqs: SQSClient, taskHandle: string): Promise<number> {
  const { ApproximateNumberOfMessagesMoved } = await sqs.send(
    new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }),
  );
  return ApproximateNumberOfMessagesMoved ?? 0;
}

/** One line per task: status, progress, destination, start time, failure reason, handle (while it can be cancelled). */
export function formatMoveTask(task: ListMessageMoveTasksResultEntry): string {
  const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
  const toMove = task.ApproximateNumberOfMessagesToMove;
  const parts = [
    task.Status ?? 'UNKNOWN',
    `moved ${moved}${toMove === undefined ? '' : ` of ${toMove}`}`,
    `to ${task.DestinationArn ?? 'the original source queues'}`,
  ];
  if (task.StartedTimestamp !== undefined) parts.push(`started ${new Date(task.StartedTimestamp).toISOString()}`);
  if (task.MaxNumberOfMessagesPerSecond !== undefined) parts.push(`max ${task.MaxNumberOfMessagesPerSecond}/s`);
  if (task.FailureReason !== undefined) parts.push(`failed: ${task.FailureReason}`);
  if (task.TaskHandle !== undefined && task.Status === 'RUNNING') parts.push(`handle ${task.TaskHandle}`);
  return parts.join('  ');
}
