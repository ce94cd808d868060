import { processIo } from './cli-io';
import { runCli } from './run-cli';

// Entry point of bin/fluent-webhook.cjs. exitCode (not exit()) lets pending output drain first.
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
