import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { describeError, EXIT_CODES, type ExitCode, exitCodeOf, isExpectedError, oneLine } from './cli-errors';
import { type CliIO, processIO } from './cli-io';
import { registerClipEmbedImage } from './commands/clip-embed-image';
import { registerClipEmbedText } from './commands/clip-embed-text';
import { registerClipPretrain } from './commands/clip-pretrain';
import { registerClipTokenize } from './commands/clip-tokenize';
import type { CommandContext, CommandRegistrar } from './commands/command-context';
import { registerEval } from './commands/eval';
import { registerExport } from './commands/export';
import { registerFidScore } from './commands/fid-score';
import { registerFidStats } from './commands/fid-stats';
import { registerImport } from './commands/import';
import { registerInspect } from './commands/inspect';
import { registerSample } from './commands/sample';
import { registerTrain } from './commands/train';

/** A group of subcommands, such as `ratlip clip ...`. */
interface CommandGroup {
  name: string;
  description: string;
  commands: readonly CommandRegistrar[];
}

/** Every command, in the order `ratlip --help` lists them. */
const COMMAND_TREE: ReadonlyArray<CommandRegistrar | CommandGroup> = [
  registerTrain,
  registerSample,
  registerEval,
  {
    name: 'clip',
    description: 'train a CLIP, tokenize captions, embed texts and images',
    commands: [registerClipPretrain, registerClipTokenize, registerClipEmbedText, registerClipEmbedImage],
  },
  {
    name: 'fid',
    description: 'FID statistics (mu, sigma .npz) of images, and the distance between two statistics files',
    commands: [registerFidStats, registerFidScore],
  },
  registerInspect,
  registerImport,
  registerExport,
];

const ROOT_HELP_AFTER = `
Run 'ratlip <command> --help' for a command's options and examples.

Exit codes:
  0  success
  1  the command failed: missing file, wrong format, mismatched shapes
  2  wrong command line or config values: unknown option, invalid value, missing argument

Errors are one line on stderr; set RATLIP_DEBUG=1 to also print stack traces.
`;

/** Builds the `ratlip` command tree; a fresh one per run, since commander keeps parse state. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('ratlip')
    .description('Train, sample, evaluate and export RATLIP / GALIP text-to-image GANs on TensorFlow.js')
    .version(packageJson.version, '-V, --version', 'print the version')
    .addHelpText('after', ROOT_HELP_AFTER);
  for (const entry of COMMAND_TREE) {
    if (typeof entry === 'function') {
      entry(program, context);
      continue;
    }
    const group = program.command(entry.name).description(entry.description);
    for (const register of entry.commands) register(group, context);
  }
  return program;
}

/** The full name of a command, e.g. `ratlip clip tokenize`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent)
    names.unshift(current.name());
  return names.join(' ');
}

/** A commander parse error, with the command that reported it. */
interface ReportedParseError {
  command: Command;
  message: string;
}

/** What a commander error needs added to say what is allowed, by commander error code. */
const PARSE_ERROR_HINTS: Readonly<Record<string, (command: Command) => string>> = {
  'commander.unknownOption': (command) => `(options: ${optionList(command)})`,
  'commander.unknownCommand': (command) => `(commands: ${subcommandNames(command).join(', ')})`,
  'commander.missingArgument': (command) => `(usage: ${commandPath(command)} ${command.usage()})`,
  'commander.excessArguments': (command) => `(usage: ${commandPath(command)} ${command.usage()})`,
};

function optionList(command: Command): string {
  return [...command.options.map((option) => option.flags), '-h, --help'].join(', ');
}

function subcommandNames(command: Command): string[] {
  return command.commands.map((child) => child.name()).filter((name) => name !== 'help');
}

/**
 * Makes every command report parse errors through `reported` instead of printing them and exiting,
 * so {@link runCli} can print one line and return an exit code.
 */
function captureParseErrors(command: Command, io: CliIO, reported: { error?: ReportedParseError }): void {
  command
    .exitOverride()
    .allowUnknownOption(false)
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Help printed as an error means a group was called without a subcommand; it is replaced by one line.
      writeErr: () => {
        reported.error = {
          command,
          message: `missing command; one of: ${subcommandNames(command).join(', ')} (see '${commandPath(command)} --help')`,
        };
      },
      outputError: (message) => {
        reported.error = { command, message: oneLine(message.replace(/^error: /, '')) };
      },
    });
  for (const child of command.commands) captureParseErrors(child, io, reported);
}

/**
 * Runs the `ratlip` command line in-process.
 *
 * @param argv the arguments after the program name, e.g. `['clip', 'tokenize', 'a red circle']`.
 * @param io where output goes; default the process's stdout and stderr.
 * @returns the exit code: 0 success, 1 the command failed, 2 wrong command line (see the README).
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  const program = buildProgram({ io });
  const reported: { error?: ReportedParseError } = {};
  captureParseErrors(program, io, reported);
  let running = 'ratlip';
  program.hook('preAction', (_root, action) => {
    running = commandPath(action);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_CODES.ok;
      const parseError = reported.error;
      const source = parseError?.command ?? program;
      const hint = PARSE_ERROR_HINTS[error.code]?.(source);
      const message = parseError?.message ?? oneLine(error.message);
      io.stderr.write(`${commandPath(source)}: ${message}${hint ? ` ${hint}` : ''}\n`);
      return EXIT_CODES.usage;
    }
    const expected = isExpectedError(error);
    const debug = process.env['RATLIP_DEBUG'] === '1';
    const advice = expected || debug ? '' : ' (unexpected error; set RATLIP_DEBUG=1 for the stack trace)';
    io.stderr.write(`${running}: ${describeError(error)}${advice}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
