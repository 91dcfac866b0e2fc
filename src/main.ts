#!/usr/bin/env node
import { runConnector } from './cli/runner.js';
import { installShutdownSignals } from './cli/shutdown.js';

const signal = installShutdownSignals();
const code = await runConnector({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  env: process.env,
  signal,
  exitOnUncaught: true,
});
// stdout is flushed by now (the runner waits for it). Exiting explicitly keeps a leftover handle, such as a
// keep-alive socket, from holding the orchestrator waiting on a connector that has finished.
process.exit(code);
