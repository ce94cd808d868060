import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataDirPrivate } from '../../../tools/local/private-data-dir';
import { useTempDir } from '../../support/temp-dir';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('Function: makeDataDirPrivate', () => {
  const temp = useTempDir('fluent-private-data-');
  let umaskBefore: number;
  beforeEach(() => {
    umaskBefore = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umaskBefore);
  });

  it('creates the folder 0700, and everything created after it is 0600 (files) or 0700 (folders)', () => {
    // Act
    makeDataDirPrivate(temp.path('fresh'));
    mkdirSync(temp.path('fresh', 'sqs'));
    writeFileSync(temp.path('fresh', 'sqs', 'fauxqs.db'), 'x', { mode: 0o644 });

    // Assess
    expect([modeOf(temp.path('fresh')), modeOf(temp.path('fresh', 'sqs'))]).toEqual([0o700, 0o700]);
    expect(modeOf(temp.path('fresh', 'sqs', 'fauxqs.db'))).toBe(0o600);
  });

  it('tightens what an earlier run left open, and nothing of anyone else in a shared folder', () => {
    // Prepare: a runner's entries, world-readable, in a folder that also holds someone else's file.
    const shared = temp.path('shared');
    mkdirSync(join(shared, 'dynamodb'), { recursive: true, mode: 0o755 });
    writeFileSync(join(shared, 'dynamodb', '000003.log'), 'x', { mode: 0o644 });
    writeFileSync(join(shared, 'path-secret'), 'x', { mode: 0o644 });
    writeFileSync(join(shared, 'notes.txt'), 'x', { mode: 0o644 });
    chmodSync(shared, 0o755);

    // Act
    makeDataDirPrivate(shared);

    // Assess
    expect(modeOf(join(shared, 'dynamodb'))).toBe(0o700);
    expect(modeOf(join(shared, 'dynamodb', '000003.log'))).toBe(0o600);
    expect(modeOf(join(shared, 'path-secret'))).toBe(0o600);
    expect([modeOf(shared), modeOf(join(shared, 'notes.txt'))]).toEqual([0o755, 0o644]);
  });
});
