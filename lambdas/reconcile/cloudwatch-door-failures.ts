import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { minuteOf } from '../core/sweep-windows';
import type { DoorFailureSource } from './sweep';

/** The API Gateway stage Fluent calls, as its metrics' dimensions name it. */
export interface DoorStage {
  readonly apiName: string;
  readonly stageName: string;
}

/**
 * API Gateway's own metrics: `5XXError` counts the door's failures (a Lambda error, or a throttled Lambda, which the
 * proxy integration answers 500), `4XXError` its refusals, among them the stage's throttling (429) and signature
 * refusals (401: wrong keys lose Fluent's events too). Refusals of strangers count as well; the sweep bounds the
 * windows it adds.
 */
const DOOR_METRICS = { serverErrors: '5XXError', clientErrors: '4XXError' } as const;

/**
 * The minutes in which the door answered 5xx or 4xx, from one GetMetricData call (two metrics, one-minute
 * periods; a call returns at most 100,800 data points, far more than a day's 2 x 1,440), following NextToken.
 */
export function cloudWatchDoorFailures(cloudWatch: CloudWatchClient, stage: DoorStage): DoorFailureSource {
  const queries: MetricDataQuery[] = Object.entries(DOOR_METRICS).map(([id, metricName]) => ({
    Id: id.toLowerCase(),
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: metricName,
        Dimensions: [
          { Name: 'ApiName', Value: stage.apiName },
          { Name: 'Stage', Value: stage.stageName },
        ],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: true,
  }));
  return async ({ from, to }) => {
    const failed = new Set<number>();
    let nextToken: string | undefined;
    do {
      const answer = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(minuteOf(from.getTime())),
          EndTime: to,
          MetricDataQueries: queries,
          NextToken: nextToken,
        }),
      );
      for (const result of answer.MetricDataResults ?? []) {
        (result.Timestamps ?? []).forEach((timestamp, index) => {
          if ((result.Values?.[index] ?? 0) > 0) failed.add(minuteOf(timestamp.getTime()));
        });
      }
      nextToken = answer.NextToken;
    } while (nextToken !== undefined);
    return [...failed].sort((a, b) => a - b);
  };
}
