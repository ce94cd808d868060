import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  missingOptionalPackages,
  OPTIONAL_PACKAGES,
  requireOptionalPackages,
} from '../../../lambdas/contract/optional-packages';
import { useTempDir } from '../../support/temp-dir';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  optionalDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
/** The CDK peers are the user's CDK app's own; the constructs entry needs them by definition. */
const CDK_PEERS = ['aws-cdk-lib', 'constructs'];

describe('Optional packages', () => {
  const temp = useTempDir('fluent-webhook-optional-');

  /** A project folder whose node_modules holds exactly `names`, each as a bare package.json. */
  function projectWith(name: string, packages: readonly string[]): string {
    const project = temp.path(name, 'app');
    for (const pkg of packages) {
      mkdirSync(join(project, 'node_modules', pkg), { recursive: true });
      writeFileSync(join(project, 'node_modules', pkg, 'package.json'), '{}');
    }
    mkdirSync(join(project, 'node_modules', 'fluent-webhook-receiver'), { recursive: true });
    return project;
  }

  it("lists, over all parts, exactly package.json's optional dependencies and optional peers (but the CDK's)", () => {
    // Act
    const listed = new Set(Object.values(OPTIONAL_PACKAGES).flat());
    const peers = Object.keys(manifest.peerDependencies).filter((name) => !CDK_PEERS.includes(name));

    // Assess
    expect([...listed].sort()).toEqual([...Object.keys(manifest.optionalDependencies), ...peers].sort());
  });

  it('finds every package in this repository, where npm ci installed them all', () => {
    // Act
    const missing = Object.keys(OPTIONAL_PACKAGES).flatMap((part) =>
      missingOptionalPackages(part as keyof typeof OPTIONAL_PACKAGES),
    );

    // Assess
    expect(missing).toEqual([]);
  });

  it('looks in every node_modules folder up from the package, as require does, without loading anything', () => {
    // Prepare: the SQS client hoisted to the project; the package itself deeper down.
    const project = projectWith('hoisted', ['@aws-sdk/client-sqs']);

    // Act
    const missing = missingOptionalPackages('fluent-webhook redrive', join(project, 'node_modules', 'x', 'y'));

    // Assess
    expect(missing).toEqual([]);
  });

  it('counts a package as present when it is found from any of several folders (the project, or this package)', () => {
    // Prepare: esbuild in the user's project, the SQS client only beside the package
    const project = projectWith('split-project', ['esbuild']);
    const packageHome = projectWith('split-package', ['@aws-sdk/client-sqs']);

    // Act
    const fromProject = missingOptionalPackages('fluent-webhook-receiver/cdk', project);
    const fromBoth = missingOptionalPackages('fluent-webhook-receiver/cdk', [project, packageHome]);

    // Assess
    expect(fromProject).toContain('@aws-sdk/client-sqs');
    expect(fromBoth).not.toContain('@aws-sdk/client-sqs');
    expect(fromBoth).not.toContain('esbuild');
    expect(fromBoth).toContain('@aws-sdk/client-dynamodb');
  });

  it('says in one line which packages a part lacks and the command that adds them', () => {
    // Prepare: a verifier-only install (npm install --omit=optional) has none of them.
    const project = projectWith('verifier-only', []);

    // Act
    const check = () => requireOptionalPackages('fluent-webhook local', join(project, 'node_modules', 'x'));

    // Assess
    expect(check).toThrow(
      `fluent-webhook local needs packages this project has not installed (esbuild, @aws-lambda-powertools/batch, @aws-lambda-powertools/idempotency and 14 more); run "npm install --include=optional --save-dev dynalite@${manifest.peerDependencies.dynalite} fauxqs@${manifest.peerDependencies.fauxqs} light-my-request@${manifest.peerDependencies['light-my-request']} velocityjs@${manifest.peerDependencies.velocityjs}".`,
    );
  });

  it('names only the optional peers for a project that has the optional dependencies (a CDK app)', () => {
    // Prepare
    const project = projectWith('cdk-app', Object.keys(manifest.optionalDependencies));

    // Act
    const check = () => requireOptionalPackages('fluent-webhook local', join(project, 'node_modules', 'x'));

    // Assess
    expect(check).toThrow(
      /\(dynalite, fauxqs, light-my-request and 1 more\); run "npm install --save-dev dynalite@\S+ fauxqs@\S+ light-my-request@\S+ velocityjs@\S+"\.$/,
    );
  });
});
