// Real components a suite needs from the machine (a browser, a database server). Where one is missing,
// the suite is skipped with one visible line naming what to install; in CI (CI=true) a missing component
// is a failure, so a green run always means the suite ran.
import { existsSync } from 'node:fs';
import { postgresBinDir } from './postgres';

export interface Component {
  /** What the component is, for the skip line: "Chromium". */
  name: string;
  /** Where it was looked for; undefined when it is not on this machine. */
  path: string | undefined;
  /** How to get it: "apt-get install chromium (or set CHROMIUM_PATH)". */
  install: string;
}

/** Whether the suite can run; logs the skip line, or throws in CI. */
export function available(component: Component, suite: string): boolean {
  if (component.path !== undefined) return true;
  const line = `${suite}: skipped, ${component.name} not found: ${component.install}`;
  if (process.env['CI'] === 'true') throw new Error(`${line} (CI=true: a missing component is a failure)`);
  console.warn(line);
  return false;
}

/** Debian's chromium, or CHROMIUM_PATH. */
export function chromium(): Component {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  return { name: 'Chromium', path: existsSync(path) ? path : undefined, install: 'apt-get install chromium, or set CHROMIUM_PATH' };
}

/** Debian's PostgreSQL server binaries (initdb, postgres), or PG_BIN. */
export function postgres(): Component {
  return { name: 'PostgreSQL', path: postgresBinDir(), install: 'apt-get install postgresql, or set PG_BIN' };
}
