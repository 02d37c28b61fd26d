/**
 * Global setup of the `browser` vitest project: builds the web UI into viz/dist (what the server
 * serves at /) once, and fails loudly when Debian's chromium is missing (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import { buildUi } from '../../viz/build.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`browser tests: ${CHROMIUM} is missing — install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  await buildUi({ quiet: true });
}
