import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CfnTemplate } from './cloud-template';

/** One stack of a cloud assembly (`cdk.out`): its name, its template and where its assets are. */
export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The cloud assembly folder: asset folders (`asset.<hash>`) are in it. */
  readonly assemblyDir: string;
}

interface Manifest {
  readonly artifacts?: Record<
    string,
    { readonly type?: string; readonly properties?: { readonly templateFile?: string; readonly stackName?: string } }
  >;
}

const STACK_ARTIFACT = 'aws:cloudformation:stack';

/**
 * Reads a stack from the cloud assembly `cdk synth` wrote: manifest.json names the stacks and their template files.
 * `stackName` is needed only when there are several.
 */
export function readAssemblyStack(assemblyDir: string, stackName?: string): AssemblyStack {
  const dir = resolve(assemblyDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(
      `${manifestPath} does not exist: --app takes the folder cdk synth writes (cdk.out, or its --output); run "npx cdk synth" first.`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === STACK_ARTIFACT && artifact.properties?.templateFile !== undefined)
    .map(([id, artifact]) => ({
      name: artifact.properties?.stackName ?? id,
      templateFile: artifact.properties?.templateFile as string,
    }));
  if (stacks.length === 0) throw new Error(`${manifestPath} lists no CloudFormation stack.`);
  const names = stacks.map((stack) => stack.name).join(', ');
  if (stackName === undefined && stacks.length > 1) {
    throw new Error(`${manifestPath} lists several stacks (${names}); choose one with --stack NAME.`);
  }
  const chosen = stackName === undefined ? stacks[0] : stacks.find((stack) => stack.name === stackName);
  if (chosen === undefined) throw new Error(`No stack named ${stackName} in ${manifestPath}; it lists ${names}.`);
  const template = JSON.parse(readFileSync(join(dir, chosen.templateFile), 'utf8')) as CfnTemplate;
  return { stackName: chosen.name, template, assemblyDir: dir };
}
