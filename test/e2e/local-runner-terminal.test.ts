import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { signFluentPayload } from '../../lambdas/core';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { REPO_ROOT } from './local-runner-process';

/** `script` (util-linux) runs the command on a pseudo-terminal, so stdout is a TTY as at a developer's prompt. */
const quoted = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

describe('Program: fluent-webhook local on a terminal', () => {
  const temp = useTempDir('fluent-webhook-tty-');
  let child: ChildProcess;
  let output = '';
  const screen = (): string => stripVTControlCharacters(output).replace(/\r/g, '');

  beforeAll(() => {
    const command = [process.execPath, join(REPO_ROOT, 'bin', 'fluent-webhook.cjs'), 'local'].map(quoted).join(' ');
    child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: temp.path('data'), LOG_FORMAT: '', NO_COLOR: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  });
  afterAll(async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
  });

  it('prints a banner, then one readable line per event instead of JSON', async () => {
    // Prepare
    await waitUntil(() => screen().includes('redrive the DLQ'), 30_000, 'the banner is printed');
    const webhookUrl = /Webhook URL\s+(\S+)\{route\}/.exec(screen())?.[1];
    const privateKeyPem = readFileSync(temp.path('data', 'keys', 'private-key.pem'), 'utf8');
    const id = randomUUID();
    const body = fluentEventBody({ id, entityRef: 'HD_TTY_1' });

    // Act
    const response = await fetch(`${webhookUrl}orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, privateKeyPem) },
      body,
    });
    await waitUntil(() => /✓ processed/.test(screen()), 20_000, 'the processed line is printed');

    // Assess
    expect(response.status).toBe(200);
    expect(screen()).toMatch(/Handlers +handlers\/index\.ts\n/);
    expect(screen()).toMatch(/\d\d:\d\d:\d\d ✓ processed +OrderStatusChange +HD_TTY_1 +orders +\d+ ms\n/);
    expect(screen()).toContain('send a sample   npx fluent-webhook send --url');
    expect(screen()).not.toMatch(/^\{"/m);
    // Colour, since this is a terminal and NO_COLOR is not set
    expect(output).toContain('\u001b[32m✓ processed');
  });
});
