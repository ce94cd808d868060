// dynalite ships no typings; this covers the one call the DynamoDB emulator makes.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB folder; in memory when absent. */
    path?: string;
    /** Milliseconds a table stays CREATING / DELETING / UPDATING. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }

  /** An unstarted HTTP server; its `close` also closes the database. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

// The parsers dynalite's validations check each request's expressions with (tools/local/dynalite-expression-cache.ts).
declare module 'dynalite/db/conditionParser' {
  const parser: { parse(expression: string, options: { context: Record<string, unknown> }): unknown };
  export = parser;
}
declare module 'dynalite/db/updateParser' {
  const parser: { parse(expression: string, options: { context: Record<string, unknown> }): unknown };
  export = parser;
}
declare module 'dynalite/db/projectionParser' {
  const parser: { parse(expression: string, options: { context: Record<string, unknown> }): unknown };
  export = parser;
}
