// Imports run one way: bin → tools → lib → lambdas/contract → lambdas/core, and the consumer's entry → handlers/
// is the one deliberate plug. `npm test` runs this (npm run lint:imports); see CONTRIBUTING.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; split what both need into a third.',
      from: {},
      // Type-only cycles too: a construct's props live in their own file (`*-props.ts`), which its checks import.
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'lambdas/core imports nothing else of ours: it runs in Lambda, locally, in the CLI and at synth.',
      from: { path: '^lambdas/core/' },
      to: { path: '^(lambdas/(?!core/)|lib/|tools/|handlers/|bin/|test/)' },
    },
    {
      name: 'contract-needs-only-core',
      severity: 'error',
      comment: 'lambdas/contract holds names, numbers and the queue-message codec; it may use the core only.',
      from: { path: '^lambdas/contract/' },
      to: { path: '^(lambdas/(?!core/|contract/)|lib/|tools/|handlers/|bin/|test/)' },
    },
    {
      name: 'lambdas-are-deployed-code',
      severity: 'error',
      comment: 'Deployed code never imports the constructs, the developer tools or the tests.',
      from: { path: '^lambdas/' },
      to: { path: '^(lib/|tools/|bin/|test/)' },
    },
    {
      name: 'lambdas-stay-apart',
      severity: 'error',
      comment: 'The receiver and the consumer share only lambdas/core, lambdas/contract and lambdas/shared.',
      from: { path: '^lambdas/(receiver|consumer)/' },
      to: { path: '^lambdas/(receiver|consumer)/', pathNot: '^lambdas/$1/' },
    },
    {
      name: 'only-the-consumer-entry-loads-handlers',
      severity: 'error',
      comment: "The engine never imports the user's handlers; lambdas/consumer/handler.ts wires them in.",
      from: { path: '^lambdas/', pathNot: '^lambdas/consumer/handler\\.ts$' },
      to: { path: '^handlers/' },
    },
    {
      name: 'handlers-use-the-engine-types-only',
      severity: 'error',
      comment: "The user's handlers may use the core, the contract and the consumer's types, never the tools or CDK.",
      from: { path: '^handlers/' },
      to: { path: '^(lib/|tools/|bin/|test/|lambdas/receiver/)' },
    },
    {
      name: 'lib-uses-core-and-contract-only',
      severity: 'error',
      comment: "Constructs refer to a Lambda by its entry's path, never by importing its internals.",
      from: { path: '^lib/' },
      to: { path: '^(lambdas/(?!core/|contract/)|tools/|handlers/|bin/|test/)' },
    },
    {
      name: 'cli-and-local-runner-without-cdk',
      severity: 'error',
      comment:
        'The CLI and the local runner work where only the verifier is installed (no aws-cdk-lib, no constructs): what they share with the constructs lives in lambdas/contract.',
      from: { path: '^tools/(cli|local)/' },
      to: { path: '^(lib/|bin/|node_modules/(aws-cdk-lib|constructs|cdk-nag)/)', reachable: true },
    },
    {
      name: 'tools-never-import-bin',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^bin/' },
    },
    {
      name: 'nothing-shipped-imports-tests',
      severity: 'error',
      comment:
        'Only the benchmarks and the load test (developer tools) reuse the test builders and the runner harness.',
      from: { pathNot: '^(test|tools/bench|tools/load)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdk\\.out|\\.local)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'] },
  },
};
