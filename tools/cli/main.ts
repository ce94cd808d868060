import { processIo } from './cli-io';
import { endQuietlyOnClosedPipe } from './closed-pipe';
import { runCli } from './run-cli';

// Entry point of bin/fluent-webhook.cjs. exitCode (not exit()) lets pending output drain first.
endQuietlyOnClosedPipe(process.stdout);
endQuietlyOnClosedPipe(process.stderr);
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
