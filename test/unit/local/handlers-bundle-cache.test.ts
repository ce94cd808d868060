import { mkdirSync, writeFileSync } from 'node:fs';
import { readCachedBundle, writeCachedBundle } from '../../../tools/local/handlers-bundle-cache';
import { useTempDir } from '../../support/temp-dir';

describe('The handlers bundle cache', () => {
  const temp = useTempDir('fluent-webhook-bundle-cache-');

  /** A module with one import, bundled "now" (its files settled before the build started). */
  function cachedModule(name: string): { cacheDir: string; module: string; imported: string } {
    mkdirSync(temp.path(name, 'src'), { recursive: true });
    const module = temp.path(name, 'src', 'handlers.ts');
    const imported = temp.path(name, 'src', 'greeting.ts');
    writeFileSync(module, 'export const handlers = {};\n');
    writeFileSync(imported, 'export const greeting = 1;\n');
    const cacheDir = temp.path(name, 'cache');
    writeCachedBundle(cacheDir, module, { code: 'bundled', inputs: [module, imported] }, Date.now() + 5_000);
    return { cacheDir, module, imported };
  }

  it('serves the bundle while nothing changed, and builds again when an input changes', () => {
    // Prepare
    const { cacheDir, module, imported } = cachedModule('inputs');

    // Act
    const hit = readCachedBundle(cacheDir, module);
    writeFileSync(imported, 'export const greeting = 22;\n');
    const afterChange = readCachedBundle(cacheDir, module);

    // Assess
    expect(hit?.code).toBe('bundled');
    expect(afterChange).toBeUndefined();
  });

  it('builds again when a tsconfig.json that esbuild would read appears or changes (esbuild lists none as an input)', () => {
    // Prepare
    const added = cachedModule('config-added');
    const changed = cachedModule('config-changed');
    writeFileSync(temp.path('config-changed', 'tsconfig.json'), '{}\n');
    writeCachedBundle(
      changed.cacheDir,
      changed.module,
      { code: 'bundled', inputs: [changed.module, changed.imported] },
      Date.now() + 5_000,
    );

    // Act
    const beforeAdding = readCachedBundle(added.cacheDir, added.module);
    writeFileSync(temp.path('config-added', 'src', 'tsconfig.json'), '{"compilerOptions":{"jsx":"react"}}\n');
    const afterAdding = readCachedBundle(added.cacheDir, added.module);
    const beforeEditing = readCachedBundle(changed.cacheDir, changed.module);
    writeFileSync(temp.path('config-changed', 'tsconfig.json'), '{"compilerOptions":{"paths":{"x":["y"]}}}\n');
    const afterEditing = readCachedBundle(changed.cacheDir, changed.module);

    // Assess
    expect(beforeAdding?.code).toBe('bundled');
    expect(afterAdding).toBeUndefined();
    expect(beforeEditing?.code).toBe('bundled');
    expect(afterEditing).toBeUndefined();
  });
});
