import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'constructs';

/**
 * The `context` object of `cdk.json` in `dir`, the folder `cdk synth` runs the app in; undefined without one.
 * CDK hands the app cdk.json's context and `-c key=value` merged into one: comparing with the file tells them apart.
 */
export function readCdkJsonContext(dir: string = process.cwd()): Readonly<Record<string, unknown>> | undefined {
  const file = join(dir, 'cdk.json');
  if (!existsSync(file)) return undefined;
  const context = (JSON.parse(readFileSync(file, 'utf8')) as { context?: unknown }).context;
  return typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
}

/**
 * The top-level context keys whose value did not come from cdk.json: given with `-c key=value` (or from
 * ~/.cdk.json). A `-c` value equal to cdk.json's own value cannot be told apart, and needs not be.
 */
export function commandLineContextKeys(node: Node, cdkJsonContext: Readonly<Record<string, unknown>>): Set<string> {
  const all = node.getAllContext() as Record<string, unknown>;
  return new Set(
    Object.keys(all).filter(
      (key) => !(key in cdkJsonContext) || JSON.stringify(all[key]) !== JSON.stringify(cdkJsonContext[key]),
    ),
  );
}
