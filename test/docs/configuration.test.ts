import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluentApiEnv, RuntimeEnv } from '../../lambdas/contract/environment';
import { DEFAULT_INGRESS } from '../../lambdas/contract/ingress';
import { DEFAULT_HISTORY_RETENTION_DAYS } from '../../lambdas/contract/history';
import { DEFAULT_ORDERING } from '../../lambdas/contract/ordering';
import { DEFAULT_SIGNATURE_POLICY } from '../../lambdas/core/constants';
import {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  SETTING_ENV_NAMES,
  UnhandledEventPolicy,
} from '../../lambdas/core/settings';
import { defaultConsumerTimeout, defaultSqsEventSourceProps } from '../../lib/consumer/consumer-defaults';
import {
  defaultOldestMessageAgeThreshold,
  defaultSignatureRejectionThreshold,
} from '../../lib/monitoring/monitoring-defaults';
import {
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_STAGE_NAME,
  defaultLogRetention,
  defaultThrottling,
  defaultWafRateLimit,
} from '../../lib/receiver/receiver-defaults';
import { OperationsContextKey } from '../../lib/stack/operations-config';
import {
  DEFAULT_ENVIRONMENT_NAME,
  DeployContextKey,
  ENVIRONMENT_CONTEXT_KEY,
  ENVIRONMENTS_CONTEXT_KEY,
  PATH_SECRET_ENV,
} from '../../lib/stack/stack-config';
import { LOCAL_DEFAULTS, LOCAL_ENV_NAMES } from '../../tools/local/local-config';
import { proseLines } from '../support/markdown';

const PAGE = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');

interface Row {
  readonly contextKey?: string;
  readonly envVar?: string;
  readonly defaultText: string;
}

/** The rows of the page's settings table: the table whose header starts `| context key |`. */
function settingsTable(markdown: string): Row[] {
  const lines = proseLines(markdown);
  const start = lines.findIndex((line) =>
    /^\|\s*context key\s*\|\s*environment variable\s*\|\s*default\s*\|/.test(line),
  );
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [contextKey, envVar, defaultText] = line
      .split('|')
      .slice(1, 4)
      .map((cell) => cell.trim());
    const name = (cell: string | undefined): string | undefined => /^`([^`]+)`$/.exec(cell ?? '')?.[1];
    rows.push({ contextKey: name(contextKey), envVar: name(envVar), defaultText: defaultText ?? '' });
  }
  return rows;
}

const rows = settingsTable(PAGE);
const byKey = (key: string): Row | undefined => rows.find((row) => row.contextKey === key);
const byEnv = (name: string): Row | undefined => rows.find((row) => row.envVar === name);

describe('Docs: docs/configuration.md against the code', () => {
  it('lists every context key the stack reads, and no other', () => {
    // Prepare
    const known = [
      ENVIRONMENT_CONTEXT_KEY,
      ENVIRONMENTS_CONTEXT_KEY,
      ...Object.keys(SETTING_ENV_NAMES),
      ...Object.values(DeployContextKey),
      ...Object.values(OperationsContextKey),
    ];

    // Assess
    const listed = rows.flatMap((row) => (row.contextKey === undefined ? [] : [row.contextKey]));
    expect([...listed].sort()).toEqual([...known].sort());
  });

  it('lists every environment variable the Lambdas, the Fluent API client and the local runner read, and no other', () => {
    // Prepare: Powertools' own log-level variable is the one name the code does not define.
    const known = [
      ...Object.values(SETTING_ENV_NAMES),
      ...Object.values(LOCAL_ENV_NAMES),
      ...Object.values(RuntimeEnv),
      ...Object.values(FluentApiEnv),
      'POWERTOOLS_LOG_LEVEL',
    ];

    // Assess
    const listed = rows.flatMap((row) => (row.envVar === undefined ? [] : [row.envVar]));
    expect([...listed].sort()).toEqual([...new Set(known)].sort());
  });

  it('pairs each receiver setting with the variable the Lambdas read it from', () => {
    // Assess
    for (const [key, envName] of Object.entries(SETTING_ENV_NAMES)) expect(byKey(key)?.envVar).toBe(envName);
    expect(byKey(DeployContextKey.PATH_SECRET)?.envVar).toBe(PATH_SECRET_ENV);
  });

  it('states the defaults the code defines', () => {
    // Prepare: each documented default and where the code defines it.
    const eventSource = defaultSqsEventSourceProps();
    const expected: Array<[Row | undefined, string | number]> = [
      [byKey(ENVIRONMENT_CONTEXT_KEY), DEFAULT_ENVIRONMENT_NAME],
      [byKey('signaturePolicy'), DEFAULT_SIGNATURE_POLICY],
      [byKey('unhandledEvents'), UnhandledEventPolicy.IGNORE],
      [byKey('idempotencyExpirySeconds'), DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS],
      [byKey(DeployContextKey.STAGE_NAME), DEFAULT_STAGE_NAME],
      [byKey(DeployContextKey.THROTTLING_RATE_LIMIT), defaultThrottling().rateLimit],
      [byKey(DeployContextKey.THROTTLING_BURST_LIMIT), defaultThrottling().burstLimit],
      [byKey(DeployContextKey.LOG_RETENTION_DAYS), defaultLogRetention()],
      [byKey(DeployContextKey.MAX_RECEIVE_COUNT), DEFAULT_MAX_RECEIVE_COUNT],
      [byKey(DeployContextKey.WAF_RATE_LIMIT), defaultWafRateLimit()],
      [byKey(OperationsContextKey.CONSUMER_TIMEOUT_SECONDS), defaultConsumerTimeout().toSeconds()],
      [byKey(OperationsContextKey.CONSUMER_BATCH_SIZE), eventSource.batchSize ?? 'unset'],
      [byKey(OperationsContextKey.CONSUMER_MAX_CONCURRENCY), eventSource.maxConcurrency ?? 'unset'],
      [byKey(OperationsContextKey.OLDEST_MESSAGE_AGE_MINUTES), defaultOldestMessageAgeThreshold().toMinutes()],
      [byKey(OperationsContextKey.SIGNATURE_REJECTION_THRESHOLD), defaultSignatureRejectionThreshold()],
      [byEnv(LOCAL_ENV_NAMES.port), LOCAL_DEFAULTS.port],
      [byEnv(LOCAL_ENV_NAMES.visibilityTimeoutSeconds), LOCAL_DEFAULTS.visibilityTimeoutSeconds],
      [byEnv(LOCAL_ENV_NAMES.dataDir), LOCAL_DEFAULTS.dataDir],
      [byEnv(RuntimeEnv.INGRESS), DEFAULT_INGRESS],
      [byKey(OperationsContextKey.HISTORY_RETENTION_DAYS), DEFAULT_HISTORY_RETENTION_DAYS],
      [byEnv(RuntimeEnv.ORDERING), DEFAULT_ORDERING],
    ];

    // Assess: the default cell starts with the value, in code marks.
    for (const [row, value] of expected) {
      expect(row?.defaultText).toMatch(new RegExp(`^\`${String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
    }
  });
});
