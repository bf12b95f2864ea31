import type { Command } from 'commander';
import type { CliIO } from '../cli-io';

/** What every command's action may use. */
export interface CommandContext {
  /** Output streams. */
  io: CliIO;
}

/** Adds one command (with its options, help and action) under `parent` and returns it. */
export type CommandRegistrar = (parent: Command, context: CommandContext) => Command;

/** A `--help` section of examples: each a command line and what it does. */
export function examplesHelp(
  examples: ReadonlyArray<readonly [commandLine: string, effect: string]>,
): string {
  const lines = examples.flatMap(([commandLine, effect]) => [`  # ${effect}`, `  $ ${commandLine}`]);
  return `\nExamples:\n${lines.join('\n')}\n`;
}
