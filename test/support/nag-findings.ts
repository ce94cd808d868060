import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** Context that makes NodejsFunction skip esbuild in template tests (no stack is bundled). */
export const SKIP_BUNDLING_CONTEXT = { 'aws:cdk:bundling-stacks': [] as string[] };

interface ValidationReport {
  readonly pluginReports?: ReadonlyArray<{
    readonly violations?: ReadonlyArray<{
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: ReadonlyArray<{ readonly constructPath: string }>;
    }>;
  }>;
}

/**
 * One folder per test file for every {@link tempApp}'s cloud assembly, removed after the file's tests: most tests
 * never synthesize to disk (Template.fromStack works in memory), so without this each App left an empty folder behind.
 * The hook is registered when a test file imports this module, so it runs after all of that file's tests.
 */
let assembliesRoot: string | undefined;
afterAll(() => {
  if (assembliesRoot !== undefined) rmSync(assembliesRoot, { recursive: true, force: true });
  assembliesRoot = undefined;
});
function assemblyFolder(): string {
  assembliesRoot ??= mkdtempSync(join(tmpdir(), 'cdk-test-'));
  return mkdtempSync(join(assembliesRoot, 'app-'));
}

/**
 * An App whose cloud assembly goes to a fresh temporary folder, with bundling skipped and aws-cdk-lib's built-in
 * CloudFormation validation off (about 2 s a synth) unless asked for: test/infra/synth.test.ts runs the real
 * `cdk synth`, which keeps that validation on.
 */
export function tempApp(props: AppProps = {}): App {
  return new App({
    outdir: assemblyFolder(),
    builtinCloudFormationValidation: false,
    ...props,
    context: { ...SKIP_BUNDLING_CONTEXT, ...props.context },
  });
}

/**
 * Runs cdk-nag's AwsSolutions pack on the app (call after every stack is built) and returns every
 * unacknowledged finding, errors and warnings alike, as `<severity> <rule> at <construct path>` lines.
 */
export function unacknowledgedNagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    // force: a Template.fromStack() before this has already synthesized the app, and a cached assembly skips validation.
    app.synth({ force: true });
  } catch (error) {
    // Errors make synth throw; the report below lists them (and any warnings) in full.
    // (Its name is ValidationFailed under jest; elsewhere only the message says "Validation failed".)
    const failed = error as Error;
    if (failed.name !== 'ValidationFailed' && !/Validation failed/.test(failed.message)) throw error;
  }
  const reportPath = join(app.outdir, 'validation-report.json');
  if (!existsSync(reportPath)) throw new Error(`cdk-nag wrote no validation report in ${app.outdir}; did it run?`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ValidationReport;
  rmSync(app.outdir, { recursive: true, force: true });
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      violation.violatingConstructs.map(
        (construct) => `${violation.severity} ${violation.ruleName} at ${construct.constructPath}`,
      ),
    ),
  );
}
