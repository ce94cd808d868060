import { styleText } from 'node:util';

/** One JSON log line of the runner, parsed. */
export type LogLine = Readonly<Record<string, unknown>>;

/** Whether to colour: on a terminal unless NO_COLOR is set (https://no-color.org). */
export interface RenderStyle {
  readonly colour: boolean;
}

type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'dim' | 'bold';

const paint = (style: RenderStyle, colour: Colour, text: string): string =>
  style.colour ? styleText(colour, text, { validateStream: false }) : text;

/**
 * The banner's rows: a label and the ready line's field it shows. A part of the runner that adds a field to the
 * ready line adds its row here, one line (rows whose field is absent are left out).
 */
// #region banner-rows
const BANNER_ROWS: ReadonlyArray<readonly [label: string, field: string]> = [
  ['Webhook URL', 'webhookUrlPattern'],
  ['Inspector', 'inspectorUrl'],
  ['Handlers', 'handlersModule'],
  ['Fluent API', 'fluentApiUrl'],
  ['Stand-in control', 'fluentStandInControlUrl'],
];
// #endregion

/** Lines that carry a command to run next, and their label in the banner. */
const NEXT_COMMANDS: Readonly<Record<string, string>> = {
  'send a signed sample event with': 'send a sample',
  'move dead-lettered messages back to the queue with': 'redrive the DLQ',
};

/** The consumer's decision lines (exactly one per delivery) and the door's refusals, by how they read. */
const OUTCOMES: Readonly<Record<string, { label: string; colour: Colour }>> = {
  processed: { label: '✓ processed', colour: 'green' },
  duplicate: { label: '= duplicate', colour: 'yellow' },
  ignored: { label: '- ignored', colour: 'yellow' },
  failed: { label: '✗ failed', colour: 'red' },
  forged: { label: '✗ forged', colour: 'red' },
  rejected: { label: '✗ rejected', colour: 'red' },
  'dead-lettered': { label: '☠ dead-letter', colour: 'red' },
};

/** Fields every line has, or that the event line already shows: left out of the key=value tail. */
const PLUMBING = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'component',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
  'messageId',
  'requestId',
  'eventId',
  'eventName',
  'entityRef',
  'route',
  'outcome',
  'durationMs',
  'receiveCount',
]);
/** A readable line stays on one terminal row or two. */
const MAX_TAIL_CHARS = 160;

/**
 * The banner printed once the runner is ready: where to send webhooks, what runs, what to type next. Built from
 * the ready line's fields, so it says exactly what the JSON says.
 */
export function renderBanner(ready: LogLine, style: RenderStyle): string {
  const rows = BANNER_ROWS.filter(([, field]) => present(ready[field])).map(([label, field]) => {
    const value = String(ready[field]);
    return `  ${label.padEnd(18)}${field === 'handlersModule' && ready.watch === true ? `${value} (reloads on change)` : value}`;
  });
  const title = `Fluent webhook receiver, running locally (${String(ready.ingress ?? 'verify-first')})`;
  const logs = `  ${'Logs'.padEnd(18)}one line per event here; LOG_FORMAT=json for JSON lines`;
  return ['', `  ${paint(style, 'bold', title)}`, '', ...rows, logs, '', `  ${paint(style, 'bold', 'Next')}`].join(
    '\n',
  );
}

/**
 * A JSON log line as a terminal shows it: the ready line as the banner, each event's outcome as one line (time,
 * outcome, name, entityRef, route, duration, reason), metrics and the door's acceptances not at all (the outcome
 * follows), everything else as time, level, message and a short key=value tail. Undefined: print nothing.
 */
export function renderLogLine(line: LogLine, style: RenderStyle): string | undefined {
  if ('_aws' in line) return undefined; // CloudWatch metrics (EMF), not for reading
  const message = String(line.message ?? '');
  if (message === 'local receiver ready') return renderBanner(line, style);
  if (message in NEXT_COMMANDS) return `    ${NEXT_COMMANDS[message]!.padEnd(16)}${String(line.command)}`;
  if (message === 'Webhook accepted') return undefined;
  const outcome = outcomeOf(line, message);
  if (outcome !== undefined) return renderEventLine(line, outcome, style);
  return renderOtherLine(line, message, style);
}

function outcomeOf(line: LogLine, message: string): string | undefined {
  if (line.component === 'consumer' && typeof line.outcome === 'string' && line.outcome in OUTCOMES) {
    return line.outcome;
  }
  if (message === 'Webhook rejected' || message === 'gateway refused request') return 'rejected';
  if (message === 'message in the dead-letter queue') return 'dead-lettered';
  return undefined;
}

function renderEventLine(line: LogLine, outcome: string, style: RenderStyle): string {
  const { label, colour } = OUTCOMES[outcome]!;
  const cells = [
    paint(style, 'dim', timeOf(line)),
    paint(style, colour, label.padEnd(13)),
    text(line.eventName, '-').padEnd(24),
    text(line.entityRef, '-').padEnd(18),
    text(line.route, '').padEnd(10),
    typeof line.durationMs === 'number' ? `${line.durationMs} ms`.padStart(7) : ' '.repeat(7),
  ];
  const why = [
    line.reason,
    line.verificationReason,
    errorMessage(line.error) ?? line.detail,
    typeof line.status === 'number' ? `HTTP ${line.status}` : undefined,
    outcome === 'failed' && typeof line.receiveCount === 'number' ? `attempt ${line.receiveCount}` : undefined,
  ].filter(present);
  const tail = why.length > 0 ? `  ${paint(style, colour, clip(why.map(String).join(' · ')))}` : '';
  return `${cells.join(' ')}${tail}`.trimEnd();
}

function renderOtherLine(line: LogLine, message: string, style: RenderStyle): string {
  const level = String(line.level ?? 'INFO');
  const mark =
    level === 'ERROR'
      ? paint(style, 'red', '✗ error'.padEnd(13))
      : level === 'WARN'
        ? paint(style, 'yellow', '! warning'.padEnd(13))
        : paint(style, 'dim', `· ${String(line.component ?? 'log')}`.padEnd(13));
  const fields = Object.entries(line)
    .filter(([key, value]) => !PLUMBING.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${key === 'error' ? (errorMessage(value) ?? compact(value)) : compact(value)}`);
  const tail = fields.length > 0 ? `  ${paint(style, 'dim', clip(fields.join(' ')))}` : '';
  return `${paint(style, 'dim', timeOf(line))} ${mark} ${message}${tail}`;
}

/** The local time of day, as a person reads it next to their clock. */
function timeOf(line: LogLine): string {
  const at = typeof line.timestamp === 'string' ? new Date(line.timestamp) : new Date();
  return Number.isNaN(at.getTime()) ? '--:--:--' : at.toTimeString().slice(0, 8);
}

function errorMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, message } = value as { name?: unknown; message?: unknown };
  return typeof message === 'string' ? `${typeof name === 'string' ? `${name}: ` : ''}${message}` : undefined;
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function text(value: unknown, fallback: string): string {
  return present(value) ? String(value) : fallback;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function clip(value: string): string {
  return value.length > MAX_TAIL_CHARS ? `${value.slice(0, MAX_TAIL_CHARS - 1)}…` : value;
}
