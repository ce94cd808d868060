import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { withLazyModules } from '../../../lib/internal/lazy-modules';

const ENTRY = '/app/node_modules/fluent-webhook-receiver/lambdas/history/lazy-s3-client.ts';

/** The esbuild options an afterBundling command hands to buildSync (base64 JSON, the one long quoted argument). */
function buildOptionsIn(command: string): Record<string, unknown> {
  const encoded = /'([A-Za-z0-9+/=]{40,})'/.exec(command)?.[1];
  return JSON.parse(Buffer.from(encoded ?? '', 'base64').toString()) as Record<string, unknown>;
}

describe('Function: withLazyModules', () => {
  it('leaves the bundling props as they are for a Lambda without lazy modules', () => {
    // Prepare
    const bundling = { minify: true, externalModules: ['@aws-sdk/*'] };

    // Act & Assess
    expect(withLazyModules(Runtime.NODEJS_24_X, bundling, [], '/app')).toBe(bundling);
  });

  it("keeps a lazy module out of index.js and builds it next to it with the final options, before the user's hooks", () => {
    // Prepare: the construct's options as a user overrode them (ESM, the runtime's SDK, a hook of their own).
    const bundling = {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      externalModules: ['@aws-sdk/*'],
      commandHooks: {
        beforeBundling: () => ['echo before'],
        beforeInstall: () => [],
        afterBundling: (_input: string, output: string) => [`echo user ${output}`],
      },
    };

    // Act
    const lazy = withLazyModules(Runtime.NODEJS_22_X, bundling, [ENTRY], '/app');
    const after = lazy.commandHooks?.afterBundling('/app', '/out') ?? [];

    // Assess: index.js imports the module as written; the user's externals and hooks stay.
    expect(lazy.externalModules).toEqual(['@aws-sdk/*', './lazy-s3-client.js']);
    expect(lazy.commandHooks?.beforeBundling('/app', '/out')).toEqual(['echo before']);
    expect(after).toHaveLength(2);
    expect(after[1]).toBe('echo user /out');
    // Assess: one esbuild build of the module into the asset, CommonJS whatever index.js is, with the same options.
    expect(buildOptionsIn(after[0] ?? '')).toEqual({
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      external: ['@aws-sdk/*'],
      keepNames: false,
      logLevel: 'warning',
      entryPoints: [ENTRY],
      outfile: '/out/lazy-s3-client.js',
    });
  });

  it.each([
    ['without bundleAwsSDK: the runtime SDK', { bundleAwsSDK: false }, false, ['@aws-sdk/*']],
    ['with no bundling props at all', {}, false, ['@aws-sdk/*']],
    ['under the feature flag that excludes @smithy/* too', { bundleAwsSDK: false }, true, ['@aws-sdk/*', '@smithy/*']],
    ['with bundleAwsSDK (none)', { bundleAwsSDK: true }, false, []],
  ])(
    "keeps NodejsFunction's default externals when the user sets no externalModules, %s",
    (_case, bundling, excludeSmithyPackages, defaults) => {
      // Act
      const lazy = withLazyModules(Runtime.NODEJS_24_X, bundling, [ENTRY], '/app', excludeSmithyPackages);
      const after = lazy.commandHooks?.afterBundling('/app', '/out') ?? [];

      // Assess: index.js and the lazy module both leave the same SDK packages to the runtime.
      expect(lazy.externalModules).toEqual([...defaults, './lazy-s3-client.js']);
      expect(buildOptionsIn(after[0] ?? '').external).toEqual(defaults);
    },
  );
});
