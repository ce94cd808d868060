// The package's main entry, `fluent-webhook-receiver`: the verifier library (no AWS SDK, no CDK) and the types a
// handlers module is written against. Handler types are type-only: importing them loads nothing.
export * from './core';
export type { FluentEventContext, FluentEventHandler, FluentEventHandlers } from './consumer/handler-types';
