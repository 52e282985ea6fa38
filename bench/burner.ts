// --burner: our training speed with one CPU-bound process of another program beside it, against quiet runs.
import { spawn } from 'node:child_process';
import { runJob } from './child.ts';
import type { Job } from './child.ts';
import type { BenchModelName } from './models.ts';
import { fmt } from './report.ts';

/** Starts `node -e 'for(;;){}'` and returns what stops it (by its PID). */
function startBurner(): () => void {
  const burner = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  return () => {
    if (burner.pid !== undefined && burner.exitCode === null) process.kill(burner.pid, 'SIGKILL');
  };
}

async function samplesPerS(job: Job, burner: boolean): Promise<number | null> {
  process.stderr.write(`${job.label}${burner ? ' beside a CPU burner' : ''} ... `);
  const stop = burner ? startBurner() : () => {};
  try {
    const outcome = await runJob(job);
    const speed = outcome.ok ? outcome.result.train_samples_per_s : null;
    process.stderr.write(typeof speed === 'number' ? `${fmt(speed)} training samples/s\n` : 'FAILED\n');
    if (!outcome.ok) console.error(outcome.error);
    return typeof speed === 'number' ? speed : null;
  } finally {
    stop();
  }
}

/**
 * Per model: quiet, beside the burner, quiet again (so a change of the machine's load shows as two different
 * quiet figures), as a markdown table with the ratio to the mean quiet speed. Null figures mean a run failed.
 */
export async function burnerReport(models: readonly BenchModelName[], job: (model: BenchModelName) => Job): Promise<{ text: string; failed: boolean }> {
  const rows: string[] = [];
  let failed = false;
  for (const model of models) {
    const before = await samplesPerS(job(model), false);
    const beside = await samplesPerS(job(model), true);
    const after = await samplesPerS(job(model), false);
    const quiet = before !== null && after !== null ? (before + after) / 2 : null;
    failed ||= quiet === null || beside === null;
    const ratio = quiet === null || beside === null ? '-' : `**${(beside / quiet).toFixed(2)}×**`;
    rows.push(`| ${model} | ${fmt(before)}, ${fmt(after)} | ${fmt(beside)} | ${ratio} |`);
  }
  const text = [
    '## Training samples/s beside one CPU-bound process (`node -e \'for(;;){}\'`)',
    '',
    '| model | quiet (before, after) | beside the burner | ratio to quiet |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  return { text, failed };
}
