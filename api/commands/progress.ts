/**
 * Progress bars on stderr for long CLI work. One bar per stage, each with its own total (loading
 * CIs, then relationships; reading rows, then writing them), so a bar never reads `190000/10000`.
 * A stage whose total is unknown (rows of a streamed file) shows a running count instead.
 * Bars are off with `--json` and when stderr is not a terminal; then every call is a no-op.
 */
import cliProgress from 'cli-progress';

export interface Stage {
  update(done: number, total?: number): void;
  stop(): void;
}

const OFF: Stage = { update: () => {}, stop: () => {} };

export function stage(enabled: boolean, label: string, total?: number, stream: NodeJS.WritableStream = process.stderr): Stage {
  if (!enabled) return OFF;
  const format = total === undefined ? `${label} {value} rows` : `${label} [{bar}] {percentage}% | {value}/{total}`;
  const bar = new cliProgress.SingleBar({ format, stream, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  let known = total;
  return {
    update(done: number, t?: number) {
      if (t !== undefined) known = t;
      if (!started) {
        bar.start(known ?? 0, 0);
        started = true;
      } else if (t !== undefined) bar.setTotal(t);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Hydration progress: a bar for the CIs, then one for the relationships, each out of its count. */
export function hydrationStages(
  enabled: boolean,
  totals: { cis: number; relationships: number } | undefined,
  stream: NodeJS.WritableStream = process.stderr,
): { onProgress: (p: { phase: 'cis' | 'relationships'; done: number }) => void; stop: () => void } {
  if (!enabled || totals === undefined) return { onProgress: () => {}, stop: () => {} };
  let phase: 'cis' | 'relationships' | undefined;
  let current: Stage = OFF;
  return {
    onProgress(p) {
      if (p.phase !== phase) {
        current.stop();
        phase = p.phase;
        current =
          p.phase === 'cis'
            ? stage(true, 'loading CIs          ', totals.cis, stream)
            : stage(true, 'loading relationships', totals.relationships, stream);
      }
      current.update(p.done);
    },
    stop: () => current.stop(),
  };
}
