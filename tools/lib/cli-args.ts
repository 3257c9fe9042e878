/**
 * @file Argument parsing shared by the project's command-line tools, so every tool answers the
 * same way: `--help`/`-h` prints the usage and exits 0; an unknown option, a malformed value or
 * a missing required option prints `<tool>: <what is wrong> (<usage>)` and exits 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a tool accepts. */
export interface CliSpec<O extends ParseArgsOptionsConfig> {
  /** The tool's name as the user types it after `npm run`. */
  command: string;
  usage: string;
  options: O;
  /** Options that must be present and non-empty. */
  required?: ReadonlyArray<keyof O & string>;
  /** Whether bare arguments (e.g. file names) are accepted. */
  positionals?: boolean;
}

/** The values of parsed options: a string, a boolean for flags, a list for `multiple` options. */
export type CliValues<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

/** Parsed arguments, or the exit code when the tool should stop (help shown or bad usage). */
export type CliArgs<O extends ParseArgsOptionsConfig> =
  { values: CliValues<O>; positionals: string[]; exitCode?: undefined } | { exitCode: number };

/** Prints `<tool>: <message> (<usage>)` to stderr and returns the usage-error exit code 2. */
export function usageError(spec: Pick<CliSpec<ParseArgsOptionsConfig>, 'command' | 'usage'>, message: string): 2 {
  console.error(`${spec.command}: ${message} (${spec.usage})`);
  return 2;
}

/** Parses `argv` against `spec` (a `help` flag is added); see the file comment for the answers. */
export function parseCli<O extends ParseArgsOptionsConfig>(spec: CliSpec<O>, argv: string[]): CliArgs<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: spec.positionals ?? false,
    });
  } catch (err) {
    return { exitCode: usageError(spec, (err as Error).message.split('\n')[0]!) };
  }
  const values = parsed.values;
  if (values.help === true) {
    console.log(spec.usage);
    return { exitCode: 0 };
  }
  const missing = (spec.required ?? []).filter((k) => typeof values[k] !== 'string' || values[k] === '');
  if (missing.length > 0) return { exitCode: usageError(spec, `missing ${missing.map((k) => `--${k}`).join(', ')}`) };
  return { values: values as CliValues<O>, positionals: parsed.positionals };
}
