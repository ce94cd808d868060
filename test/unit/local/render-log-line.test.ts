import { stripVTControlCharacters } from 'node:util';
import { renderBanner, renderLogLine } from '../../../tools/local/terminal/render-log-line';
import { chooseLogFormat, logFormatProblem } from '../../../tools/local/terminal/log-format';

const plain = { colour: false };
const at = '2026-12-06T10:11:12.000Z';
const clock = new Date(at).toTimeString().slice(0, 8);
const consumerLine = (fields: Record<string, unknown>) => ({
  level: 'INFO',
  timestamp: at,
  service: 'fluent-webhook-receiver',
  component: 'consumer',
  function_name: 'fluent-webhook-consumer-local',
  messageId: 'm-1',
  requestId: 'r-1',
  route: 'orders',
  receiveCount: 1,
  eventId: 'e-1',
  eventName: 'OrderStatusChange',
  entityRef: 'HD_5012',
  ...fields,
});
const ready = {
  level: 'INFO',
  message: 'local receiver ready',
  timestamp: at,
  ingress: 'verify-first',
  webhookUrlPattern: 'http://127.0.0.1:3000/s3cret/fluent/{route}',
  handlersModule: 'handlers/index.ts',
  watch: true,
  fluentApiUrl: 'http://127.0.0.1:4000',
  fluentStandInControlUrl: 'http://127.0.0.1:4000/_stand-in',
};

describe('The local terminal: one readable line per event', () => {
  it('shows a processed event as time, outcome, name, entityRef, route and duration', () => {
    // Act
    const text = renderLogLine(
      consumerLine({ message: 'webhook processed', outcome: 'processed', durationMs: 12 }),
      plain,
    );

    // Assess
    expect(text).toMatch(new RegExp(`^${clock} ✓ processed +OrderStatusChange +HD_5012 +orders +12 ms$`));
  });

  it('shows a failure with its reason, the error and the attempt, on one line', () => {
    // Act
    const text = renderLogLine(
      consumerLine({
        level: 'ERROR',
        message: 'webhook handler failed',
        outcome: 'failed',
        reason: 'handler-failed',
        receiveCount: 2,
        durationMs: 3,
        error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      }),
      plain,
    );

    // Assess
    expect(text).toMatch(
      /✗ failed +OrderStatusChange +HD_5012 +orders +3 ms {2}handler-failed · Error: boom · attempt 2$/,
    );
    expect(text).not.toContain('\n');
  });

  it("shows the door's refusal with its reason and status", () => {
    // Act
    const text = renderLogLine(
      {
        level: 'WARN',
        message: 'Webhook rejected',
        timestamp: at,
        component: 'receiver',
        route: 'orders',
        status: 401,
        reason: 'signature-invalid',
      },
      plain,
    );

    // Assess
    expect(text).toMatch(/✗ rejected +- +- +orders +signature-invalid · HTTP 401$/);
  });

  it('prints nothing for metrics and for the acceptance the outcome line follows', () => {
    expect(renderLogLine({ _aws: { Timestamp: 1 }, EventProcessed: 1 }, plain)).toBeUndefined();
    expect(renderLogLine({ level: 'INFO', message: 'Webhook accepted', component: 'receiver' }, plain)).toBeUndefined();
  });

  it("shows a handler's own line briefly, with its fields and without the plumbing", () => {
    // Act
    const text = renderLogLine(
      consumerLine({ message: 'order status changed', orderRef: 'HD_5012', status: 'SHIPPED' }),
      plain,
    );

    // Assess
    expect(text).toBe(`${clock} · consumer    order status changed  orderRef=HD_5012 status=SHIPPED`);
  });

  it('colours the outcome on a terminal, and the text stays the same', () => {
    // Act
    const line = consumerLine({ message: 'webhook processed', outcome: 'processed', durationMs: 12 });
    const coloured = renderLogLine(line, { colour: true }) ?? '';

    // Assess
    expect(coloured).not.toBe(renderLogLine(line, plain));
    expect(stripVTControlCharacters(coloured)).toBe(renderLogLine(line, plain));
  });
});

describe('The local terminal: the banner', () => {
  it('says where to send, which handlers run and that they reload, and leaves out what is absent', () => {
    // Act
    const banner = renderBanner(ready, plain);

    // Assess
    expect(banner).toContain('Webhook URL       http://127.0.0.1:3000/s3cret/fluent/{route}');
    expect(banner).toContain('Handlers          handlers/index.ts (reloads on change)');
    expect(banner).toContain('LOG_FORMAT=json');
    expect(banner).not.toContain('Inspector');
  });

  it('shows the inspector once the ready line carries inspectorUrl', () => {
    expect(renderBanner({ ...ready, inspectorUrl: 'http://127.0.0.1:3001/' }, plain)).toContain(
      'Inspector         http://127.0.0.1:3001/',
    );
  });

  it('lists the next commands under the banner', () => {
    const text = renderLogLine(
      { level: 'INFO', message: 'send a signed sample event with', command: 'npx fluent-webhook send --new-id' },
      plain,
    );
    expect(text).toBe('    send a sample   npx fluent-webhook send --new-id');
  });
});

describe('LOG_FORMAT', () => {
  it('is readable on a terminal and JSON elsewhere unless set', () => {
    expect(chooseLogFormat({}, true)).toBe('pretty');
    expect(chooseLogFormat({}, false)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('names the values when set to something else', () => {
    expect(logFormatProblem({ LOG_FORMAT: 'yaml' })).toEqual({
      setting: 'logFormat',
      message: 'is "yaml"; use json or pretty.',
    });
    expect(logFormatProblem({ LOG_FORMAT: 'json' })).toBeUndefined();
  });
});
