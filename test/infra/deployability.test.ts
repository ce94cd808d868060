import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CloudFormationClient, DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { MotoServer, startMotoServer } from '../support/moto-server';
import { offlineEnv } from '../support/cdk-synth';
import { synthesizeTemplateVariants, SynthesizedVariant, TEMPLATE_VARIANTS } from '../support/template-variants';
import { useTempDir } from '../support/temp-dir';
import { reportSkipped, toolOnPath } from '../support/tool-on-path';

const ROOT = join(__dirname, '..', '..');
const CDK_CLI = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
/** moto's default account; any region does, as long as it is always the same. */
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const FAKE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/**
 * cfn-lint findings that are CDK's own doing, each with why it is harmless. W3005: CDK puts a DependsOn on the
 * role's default policy next to the function's GetAtt on the role, so that the policy exists before the function.
 */
const ACCEPTED_FINDINGS: Readonly<Record<string, string>> = {
  W3005: 'CDK adds DependsOn on the role and its default policy; the GetAtt alone would miss the policy',
};

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a program to its end in the background (the checks overlap); never throws. */
function run(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, timeout: 110_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * Checks that the templates `cdk synth` writes are deployable, the way AWS would first judge them, with two tools
 * that are not ours: cfn-lint (the CloudFormation linter: resource specifications, property types, references)
 * and moto (a mock of AWS whose CloudFormation takes a real `cdk bootstrap` and `cdk deploy --no-execute`, which
 * creates a change set and never executes it). Each runs when its tool is on PATH, and says SKIPPED with the reason
 * when it is not. The variants are synthesized once; moto starts, and is bootstrapped while cfn-lint runs.
 */
describe('Deployability of the synthesized templates', () => {
  const temp = useTempDir('fluent-deployability-');
  const cfnLint = toolOnPath('cfn-lint');
  const motoServer = toolOnPath('moto_server');
  let variants: SynthesizedVariant[];
  let moto: MotoServer | undefined;
  let lint: Promise<Run> | undefined;
  let bootstrap: Promise<Run> | undefined;
  const cdkEnv = (endpoint: string) =>
    offlineEnv({
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: endpoint,
    });
  // From a folder without cdk.json, so that the CLI synthesizes nothing itself.
  const cdk = (endpoint: string, ...args: string[]) =>
    run(process.execPath, [CDK_CLI, ...args, '--no-notices'], { cwd: temp.path(), env: cdkEnv(endpoint) });

  beforeAll(async () => {
    // moto boots while the variants are synthesized; then cfn-lint and the bootstrap run side by side.
    if (motoServer !== undefined) moto = await startMotoServer(motoServer);
    variants = synthesizeTemplateVariants(temp.path('cdk.out'));
    if (cfnLint !== undefined) {
      const files = variants.map((variant) => variant.templateFile);
      lint = run(cfnLint, ['--format', 'json', ...files], { cwd: temp.path(), env: offlineEnv() });
    }
    if (moto !== undefined) {
      const { endpoint } = moto;
      bootstrap = moto.ready.then(() => cdk(endpoint, 'bootstrap', `aws://${ACCOUNT}/${REGION}`));
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([lint, bootstrap]);
    await moto?.stop();
  });

  it('synthesizes every variant once, into one cloud assembly the checks below share', () => {
    // Assess
    expect(variants.map((variant) => variant.stackName)).toEqual(
      Object.keys(TEMPLATE_VARIANTS).map((variant) => `FluentWebhooks-${variant}`),
    );
    const count = (variant: SynthesizedVariant, type: string) =>
      Object.values(variant.template.Resources).filter((resource) => resource.Type === type).length;
    expect(variants.map((variant) => count(variant, 'AWS::Lambda::Function'))).toEqual([2, 1, 3]);
    expect(variants.map((variant) => count(variant, 'AWS::WAFv2::WebACL'))).toEqual([0, 0, 1]);
    expect(variants.map((variant) => count(variant, 'AWS::Scheduler::Schedule'))).toEqual([0, 0, 2]);
  });

  it(`${cfnLint === undefined ? 'SKIPPED (cfn-lint is not on PATH): ' : ''}cfn-lint finds nothing in any variant but CDK's own accepted warnings`, async () => {
    if (lint === undefined) {
      reportSkipped('cfn-lint is not on PATH, so no template was linted (pip install cfn-lint to run this check).');
      return;
    }
    // Act
    const { code, output } = await lint;

    // Assess: exit 0, or 4 and 8 (warnings, informational) with JSON findings; 2 (errors) or 1 (a crash) fail.
    const findings = JSON.parse(output.trim() === '' ? '[]' : output) as Array<{ Rule: { Id: string } }>;
    expect(findings.filter((finding) => !(finding.Rule.Id in ACCEPTED_FINDINGS))).toEqual([]);
    expect([0, 4, 8, 12]).toContain(code);
  }, 120_000);

  it(`${motoServer === undefined ? 'SKIPPED (moto_server is not on PATH): ' : ''}cdk bootstrap and cdk deploy --no-execute create an AVAILABLE change set for every variant in moto, never executed`, async () => {
    if (moto === undefined || bootstrap === undefined) {
      reportSkipped(
        'moto_server is not on PATH, so no change set was created (pip install "moto[server]" to run this check).',
      );
      return;
    }
    // Act
    const bootstrapped = await bootstrap;
    const deploy = await cdk(
      moto.endpoint,
      'deploy',
      '--app',
      temp.path('cdk.out'),
      '--all',
      '--concurrency',
      String(variants.length),
      '--no-execute',
      '--require-approval',
      'never',
    );

    // Assess: one change set per stack, created in full (one Add per resource) and waiting for review.
    expect(bootstrapped).toMatchObject({ code: 0 });
    expect(deploy).toMatchObject({ code: 0 });
    const changeSetIds = [...deploy.output.matchAll(/Changeset (arn:\S+) created and waiting in review/g)].map(
      (match) => match[1] as string,
    );
    expect(changeSetIds).toHaveLength(variants.length);
    const cloudFormation = new CloudFormationClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: FAKE_CREDENTIALS,
    });
    const changeSets = await Promise.all(
      changeSetIds.map((id) => cloudFormation.send(new DescribeChangeSetCommand({ ChangeSetName: id }))),
    );
    const stacks = await Promise.all(
      variants.map((variant) => cloudFormation.send(new DescribeStacksCommand({ StackName: variant.stackName }))),
    );
    cloudFormation.destroy();
    const summary = (
      stack: string | undefined,
      status: string | undefined,
      execution: string | undefined,
      changes: number | undefined,
    ) => ({ stack, status, execution, changes });
    expect(
      changeSets
        .map((set) => summary(set.StackName, set.Status, set.ExecutionStatus, set.Changes?.length))
        .sort((a, b) => String(a.stack).localeCompare(String(b.stack))),
    ).toEqual(
      variants
        .map((variant) =>
          summary(variant.stackName, 'CREATE_COMPLETE', 'AVAILABLE', Object.keys(variant.template.Resources).length),
        )
        .sort((a, b) => String(a.stack).localeCompare(String(b.stack))),
    );
    expect(stacks.map((stack) => stack.Stacks?.[0]?.StackStatus)).toEqual(variants.map(() => 'REVIEW_IN_PROGRESS'));
  }, 120_000);
});
