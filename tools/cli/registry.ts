import type { CliCommand } from './command';
import { eventCommand } from './commands/event';
import { fluentCommand } from './commands/fluent';
import { historyCommand } from './commands/history';
import { keygenCommand } from './commands/keygen';
import { localCommand } from './commands/local';
import { redriveCommand } from './commands/redrive';
import { reconcileCommand } from './commands/reconcile';
import { replayCommand } from './commands/replay';
import { secretCommand } from './commands/secret';
import { sendCommand } from './commands/send';
import { signCommand } from './commands/sign';
import { verifyCommand } from './commands/verify';

/** Every command, in the order `fluent-webhook --help` lists them. To add one: import it and list it here. */
export const COMMANDS: readonly CliCommand[] = [
  keygenCommand,
  signCommand,
  verifyCommand,
  localCommand,
  sendCommand,
  eventCommand,
  secretCommand,
  redriveCommand,
  historyCommand,
  replayCommand,
  reconcileCommand,
  fluentCommand,
];
