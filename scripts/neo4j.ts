/**
 * Runs a local Neo4j Community 5.26 without Docker (DESIGN.md "Running Neo4j without Docker"):
 * the `neo4j-launcher/` Java main, built with Maven on first use, started detached with its own
 * data directory, a pid file and a log.
 *
 *   node bin/run-ts.js scripts/neo4j.ts start [--port P] [--data DIR]
 *   node bin/run-ts.js scripts/neo4j.ts stop | status
 *
 * The functions are exported so the vitest global setup, the fault tests and the benchmarks start
 * their own throwaway instances the same way (`startNeo4j({ port, dataDir, runDir })`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LAUNCHER_DIR = join(REPO_ROOT, 'neo4j-launcher');
export const LAUNCHER_JAR = join(LAUNCHER_DIR, 'target', 'neo4j-launcher.jar');
/** Where `start`/`stop`/`status` keep the default instance's data, pid file and log. */
export const DEFAULT_RUN_DIR = join(REPO_ROOT, '.neo4j');

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

export interface StartOptions {
  /** Bolt port on 127.0.0.1; default NEO4J_PORT or 7687. */
  port?: number;
  /** Store directory; default `<runDir>/data`. */
  dataDir?: string;
  /** Holds `neo4j.pid`, `neo4j.json` and `neo4j.log`; default `.neo4j/` in the repo. */
  runDir?: string;
  /** Java heap, e.g. `1g` (default) or `2g`; NEO4J_HEAP overrides the default. */
  heap?: string;
  timeoutMs?: number;
  /**
   * `true` (the CLI): Java outlives this process. `false` (tests): Java is killed when this
   * process exits, so a crashed test run does not leave a JVM behind.
   */
  detached?: boolean;
}

export interface RunningNeo4j {
  uri: string;
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  /** SIGTERM, then waits for the JVM to exit (SIGKILL after a minute). */
  stop(): Promise<void>;
}

interface RunState {
  pid: number;
  port: number;
  uri: string;
  dataDir: string;
  logFile: string;
  startedAt: string;
}

export function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Builds target/neo4j-launcher.jar (+ target/lib) with Maven when it is missing. */
export function ensureLauncherBuilt(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): void {
  if (existsSync(LAUNCHER_JAR) && existsSync(join(LAUNCHER_DIR, 'target', 'lib'))) return;
  log('neo4j: building neo4j-launcher with Maven (first run downloads Neo4j 5.26 from Maven Central) ...');
  const r = spawnSync('mvn', ['-q', '-B', '-f', join(LAUNCHER_DIR, 'pom.xml'), 'package', '-DskipTests'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error) throw new Error(`neo4j: cannot run Maven ("mvn") to build the launcher: ${r.error.message}`);
  if (r.status !== 0 || !existsSync(LAUNCHER_JAR)) {
    throw new Error(`neo4j: "mvn package" for neo4j-launcher failed with exit code ${r.status}`);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

export function logTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '(no log)';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Guards against a recycled pid: only signal a process that is our launcher. */
function isLauncher(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('neo4j-launcher');
  } catch {
    // No /proc (macOS): fall back to liveness.
    return process.platform !== 'linux' && alive(pid);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when a Bolt server at `uri` answers `RETURN 1`. */
export async function boltAnswers(uri: string, timeoutMs = 3000): Promise<boolean> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'neo4j'), {
    connectionTimeout: timeoutMs,
    connectionAcquisitionTimeout: timeoutMs,
    maxConnectionPoolSize: 1,
    logging: { level: 'error', logger: () => undefined },
  });
  const session = driver.session();
  try {
    const res = await session.run('RETURN 1 AS one');
    return res.records[0]?.get('one') !== undefined;
  } catch {
    return false;
  } finally {
    await session.close().catch(() => undefined);
    await driver.close().catch(() => undefined);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(200);
  }
  return !alive(pid);
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, STOP_TIMEOUT_MS)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await waitForExit(pid, 5000);
}

export async function startNeo4j(opts: StartOptions = {}): Promise<RunningNeo4j> {
  const runDir = resolve(opts.runDir ?? DEFAULT_RUN_DIR);
  const dataDir = resolve(opts.dataDir ?? join(runDir, 'data'));
  const port = opts.port ?? (process.env.NEO4J_PORT ? Number(process.env.NEO4J_PORT) : 7687);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`neo4j: invalid port "${String(port)}"`);
  const heap = opts.heap ?? process.env.NEO4J_HEAP ?? '1g';
  const timeoutMs = opts.timeoutMs ?? READY_TIMEOUT_MS;
  const detached = opts.detached ?? true;
  const uri = `bolt://127.0.0.1:${port}`;

  if (!javaAvailable()) throw new Error('neo4j: "java" (17+) is not on PATH; install a JDK 17 to run Neo4j locally');
  ensureLauncherBuilt();
  if (!(await portFree(port))) {
    throw new Error(`neo4j: port ${port} on 127.0.0.1 is already in use (another Neo4j? try "status", or --port)`);
  }
  mkdirSync(runDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(runDir, 'neo4j.log');
  const fd = openSync(logFile, 'a');
  const args = [
    `-Xmx${heap}`,
    '--add-opens',
    'java.base/java.nio=ALL-UNNAMED',
    '--add-opens',
    'java.base/java.io=ALL-UNNAMED',
    '--add-opens',
    'java.base/sun.nio.ch=ALL-UNNAMED',
    '-jar',
    LAUNCHER_JAR,
    dataDir,
    String(port),
  ];
  const child = spawn('java', args, { detached, stdio: ['ignore', fd, fd], cwd: runDir });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`neo4j: could not start java: ${logTail(logFile)}`);
  let exited: number | string | null = null;
  child.on('exit', (code, signal) => {
    exited = code ?? signal ?? 'unknown';
  });
  child.on('error', (err) => {
    exited = err.message;
  });

  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  if (detached) child.unref();
  else process.once('exit', killOnExit);

  const state: RunState = { pid, port, uri, dataDir, logFile, startedAt: new Date().toISOString() };
  writeFileSync(join(runDir, 'neo4j.pid'), `${pid}\n`);
  writeFileSync(join(runDir, 'neo4j.json'), `${JSON.stringify(state, null, 2)}\n`);

  const stop = async () => {
    await stopPid(pid);
    process.removeListener('exit', killOnExit);
    rmSync(join(runDir, 'neo4j.pid'), { force: true });
    rmSync(join(runDir, 'neo4j.json'), { force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`neo4j: java exited (${String(exited)}) before Neo4j was ready; log ${logFile}:\n${logTail(logFile)}`);
    }
    const ready = logTail(logFile, 200).includes(`NEO4J_READY ${uri}`);
    if (ready && (await boltAnswers(uri))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`neo4j: not ready on ${uri} after ${Math.round(timeoutMs / 1000)} s; log ${logFile}:\n${logTail(logFile)}`);
    }
    await sleep(ready ? 250 : 500);
  }
  return { uri, port, pid, dataDir, logFile, stop };
}

function readState(runDir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'neo4j.json'), 'utf8')) as RunState;
  } catch {
    const pidFile = join(runDir, 'neo4j.pid');
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) ? { pid, port: 0, uri: '', dataDir: '', logFile: join(runDir, 'neo4j.log'), startedAt: '' } : undefined;
  }
}

export interface Neo4jStatus {
  running: boolean;
  answering: boolean;
  pid?: number;
  uri?: string;
  dataDir?: string;
  logFile?: string;
}

export async function neo4jStatus(runDir = DEFAULT_RUN_DIR): Promise<Neo4jStatus> {
  const state = readState(runDir);
  if (!state || !isLauncher(state.pid)) return { running: false, answering: false };
  const answering = state.uri ? await boltAnswers(state.uri) : false;
  return { running: true, answering, pid: state.pid, uri: state.uri, dataDir: state.dataDir, logFile: state.logFile };
}

/** Stops the instance recorded in `runDir`; returns false when none was running. */
export async function stopNeo4j(runDir = DEFAULT_RUN_DIR): Promise<boolean> {
  const state = readState(runDir);
  let stopped = false;
  if (state && isLauncher(state.pid)) {
    await stopPid(state.pid);
    if (alive(state.pid)) throw new Error(`neo4j: pid ${state.pid} did not exit`);
    stopped = true;
  }
  rmSync(join(runDir, 'neo4j.pid'), { force: true });
  rmSync(join(runDir, 'neo4j.json'), { force: true });
  return stopped;
}

function parseArgs(argv: string[]): { cmd: string | undefined; port?: number; dataDir?: string } {
  const out: { cmd: string | undefined; port?: number; dataDir?: string } = { cmd: argv[0] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`neo4j: ${a} needs a value`);
      return v;
    };
    if (a === '--port') out.port = Number(next());
    else if (a?.startsWith('--port=')) out.port = Number(a.slice(7));
    else if (a === '--data') out.dataDir = next();
    else if (a?.startsWith('--data=')) out.dataDir = a.slice(7);
    else throw new Error(`neo4j: unknown option "${a}"`);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { cmd, port, dataDir } = parseArgs(argv);
  switch (cmd) {
    case 'start': {
      const st = await neo4jStatus();
      if (st.running) {
        console.log(`neo4j: already running (pid ${st.pid}) on ${st.uri}${st.answering ? '' : ' (not answering yet)'}`);
        return 0;
      }
      const t0 = Date.now();
      console.log('neo4j: starting ...');
      const n = await startNeo4j({ port, dataDir, detached: true });
      console.log(
        `neo4j: ready on ${n.uri} (pid ${n.pid}, data ${n.dataDir}, log ${n.logFile}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      console.log(`export NEO4J_URI=${n.uri}`);
      return 0;
    }
    case 'stop': {
      const stopped = await stopNeo4j();
      console.log(stopped ? 'neo4j: stopped' : 'neo4j: not running');
      return 0;
    }
    case 'status': {
      const st = await neo4jStatus();
      if (!st.running) {
        console.log('neo4j: not running');
        return 3;
      }
      console.log(
        `neo4j: running (pid ${st.pid}) on ${st.uri}, ${st.answering ? 'answering' : 'NOT answering'}; data ${st.dataDir}; log ${st.logFile}`,
      );
      return st.answering ? 0 : 1;
    }
    default:
      console.error('usage: scripts/neo4j.ts start [--port P] [--data DIR] | stop | status');
      return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
