/**
 * @file Runs a project CLI the way `npm run` does (tsx), capturing exit code and output.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExpectStatic } from 'vitest';

/** Project root. */
export const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** Result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tsx <script> ...args` from the project root. */
export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The `expect` of a test (concurrent tests must use their own). */
type Expect = ExpectStatic;

/**
 * Asserts how every tool refuses bad input: a non-zero exit, nothing on stdout, and exactly one
 * line on stderr, `<tool>: <sentence>`, matching `message`.
 */
export function expectRefusal(expect: Expect, r: CliResult, tool: string, message: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${tool}: `));
  expect(lines[0]).toMatch(message);
}
