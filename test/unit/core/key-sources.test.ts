import { writeFileSync } from 'node:fs';
import { InvalidPublicKeyError, resolveKeySources, splitList } from '../../../lambdas/core';
import { useTempDir } from '../../support/temp-dir';
import { testKeyPair } from '../../support/test-keys';

describe('Function: resolveKeySources', () => {
  const temp = useTempDir();
  const first = testKeyPair(1024, 'sources-1');
  const second = testKeyPair(1024, 'sources-2');

  it('keeps inline keys (base64 or PEM) as they are, labelled by position', () => {
    // Act
    const sources = resolveKeySources([first.publicKeyBase64, second.publicKeyPem]);

    // Assess
    expect(sources).toEqual([
      { text: first.publicKeyBase64, label: 'entry 1' },
      { text: second.publicKeyPem.trim(), label: 'entry 2' },
    ]);
  });

  it('reads a file path, labelled by the path', () => {
    // Prepare
    const path = temp.path('fluent.pem');
    writeFileSync(path, first.publicKeyPem);

    // Act
    const sources = resolveKeySources(path);

    // Assess
    expect(sources).toEqual([{ text: first.publicKeyPem, label: path }]);
  });

  it.each([
    ['one comma-separated string', () => `${first.publicKeyBase64}, ${temp.path('second.b64')} ,`],
    ['a list whose items are comma-separated', () => [`${first.publicKeyBase64},`, ` ${temp.path('second.b64')}`]],
  ])('splits %s into entries, skipping blanks', (_case, entries) => {
    // Prepare
    writeFileSync(temp.path('second.b64'), `${second.publicKeyBase64}\n`);

    // Act
    const sources = resolveKeySources(entries());

    // Assess
    expect(sources).toEqual([
      { text: first.publicKeyBase64, label: 'entry 1' },
      { text: `${second.publicKeyBase64}\n`, label: temp.path('second.b64') },
    ]);
  });

  it('keeps a base64 key wrapped over lines inline', () => {
    // Prepare
    const wrapped = first.publicKeyBase64.replace(/(.{64})/g, '$1\n');

    // Act
    const sources = resolveKeySources(wrapped);

    // Assess
    expect(sources).toEqual([{ text: wrapped, label: 'entry 1' }]);
  });

  it('rejects an entry that is neither a key nor an existing file, naming it', () => {
    // Act
    const resolve = () => resolveKeySources([first.publicKeyBase64, 'keys/missing.pem']);

    // Assess
    expect(resolve).toThrow(InvalidPublicKeyError);
    expect(resolve).toThrow(
      'Public key entry 2 (keys/missing.pem): is neither a key (base64 or PEM) nor the path of an existing file.',
    );
  });

  it('returns nothing for an empty setting (parseFluentPublicKeys then says a key is required)', () => {
    // Act
    const sources = resolveKeySources(' , ');

    // Assess
    expect(sources).toEqual([]);
  });
});

describe('Function: splitList', () => {
  it.each([
    ['a,b', ['a', 'b']],
    [' a , b ,, ', ['a', 'b']],
    ['', []],
    ['single', ['single']],
  ])('splits %j', (value, expected) => {
    // Act
    const list = splitList(value);

    // Assess
    expect(list).toEqual(expected);
  });
});
