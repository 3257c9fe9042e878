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

/** The option table of {@link cliOptions}: strings, flags and repeatable strings by name. */
export type CliOptionTable<S extends string, B extends string, M extends string> = {
  [K in S]: { type: 'string' };
} & { [K in B]: { type: 'boolean' } } & { [K in M]: { type: 'string'; multiple: true } };

/**
 * Builds a parseArgs option table from name lists, so a tool declares its options in one line
 * each kind: `cliOptions({ string: ['out'], boolean: ['force'] })`.
 */
export function cliOptions<
  const S extends string = never,
  const B extends string = never,
  const M extends string = never,
>(names: { string?: readonly S[]; boolean?: readonly B[]; multiple?: readonly M[] }): CliOptionTable<S, B, M> {
  const table: Record<string, { type: 'string' | 'boolean'; multiple?: true }> = {};
  for (const n of names.string ?? []) table[n] = { type: 'string' };
  for (const n of names.boolean ?? []) table[n] = { type: 'boolean' };
  for (const n of names.multiple ?? []) table[n] = { type: 'string', multiple: true };
  return table as CliOptionTable<S, B, M>;
}

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
