import type { HistoryRecord } from '../../../lambdas/contract/history';
import type { CliIo } from '../cli-io';
import { CliCommand, ExitCode, ExitCodeValue } from '../command';
import { openHistoryOrExplain } from '../history/history-source';
import { readHistoryQuery, SELECTOR_OPTIONS, SELECTOR_USAGE, SOURCE_OPTIONS } from '../history/history-selectors';
import { parseOptions } from '../parse-options';

const OPTIONS = { ...SELECTOR_OPTIONS, ...SOURCE_OPTIONS, json: { type: 'boolean', default: false } } as const;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'List the events the consumer received, with their outcome, from the history (local or deployed).',
  usage: [
    'Usage: fluent-webhook history [selectors] [--json] [--stack NAME [--region REGION]]',
    '',
    'Every delivery of every event that passed the signature check, oldest first: when it was received, its id,',
    'name and entity, what the consumer decided (processed, duplicate, ignored, failed with the reason), after how',
    'many attempts, and how it came (webhook, replay, reconciliation). Selectors combine; without one, every event',
    'of the retention window is listed.',
    '',
    'Options:',
    ...SELECTOR_USAGE,
    '  --json               print a JSON array of records (eventId, messageId, name, entityRef, rootEntityRef,',
    '                       receivedAt, outcome, reason, attempts, durationMs, provenance, decidedAt, ...)',
  ].join('\n'),

  async run(argv, io) {
    const options = parseOptions(argv, OPTIONS);
    const query = readHistoryQuery(options);
    const history = await openHistoryOrExplain(options, io);
    if (history === undefined) return ExitCode.FAILED;
    try {
      const records = await history.store.query(query);
      if (options.json) io.out(JSON.stringify(records, null, 2));
      else printTable(records, io, history.where);
      return ExitCode.OK as ExitCodeValue;
    } finally {
      await history.close();
    }
  },
};

const COLUMNS: ReadonlyArray<readonly [string, (record: HistoryRecord) => string]> = [
  ['RECEIVED', (record) => record.receivedAt],
  ['EVENT ID', (record) => record.eventId],
  ['NAME', (record) => record.name],
  ['ENTITY', (record) => entityOf(record)],
  ['OUTCOME', (record) => (record.reason === undefined ? record.outcome : `${record.outcome} (${record.reason})`)],
  ['TRIES', (record) => String(record.attempts)],
  ['PROVENANCE', (record) => record.provenance],
];

function entityOf(record: HistoryRecord): string {
  const own = record.entityRef ?? '';
  return record.rootEntityRef !== undefined && record.rootEntityRef !== own ? `${own} (${record.rootEntityRef})` : own;
}

/** A plain aligned table: readable in a terminal and in a pasted ticket. */
function printTable(records: readonly HistoryRecord[], io: CliIo, where: string): void {
  if (records.length === 0) {
    io.err(`No events match in ${where}.`);
    return;
  }
  const rows = records.map((record) => COLUMNS.map(([, cell]) => cell(record)));
  const widths = COLUMNS.map(([title], column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  io.out(line(COLUMNS.map(([title]) => title)));
  for (const row of rows) io.out(line(row));
  io.err(`${records.length} deliveries in ${where}.`);
}
