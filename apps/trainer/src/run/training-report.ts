import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@ratlip/runtime/node';
import { listFakes, RUN_FILES } from './run-folder';

/** Loss series drawn in the report, by `metrics.jsonl` field. */
const CURVES: ReadonlyArray<readonly [field: string, colour: string]> = [
  ['d', '#d62728'],
  ['g', '#1f77b4'],
  ['dReal', '#ff7f0e'],
  ['dFake', '#2ca02c'],
  ['dMismatch', '#9467bd'],
  ['maGp', '#8c564b'],
  ['clipSimilarity', '#17becf'],
];

const CHART = { width: 720, height: 260, margin: 40 } as const;

/** The records of a run's `metrics.jsonl` (unreadable lines skipped). */
export function readMetrics(run: string): Array<Record<string, unknown>> {
  const path = join(run, RUN_FILES.metrics);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** An inline SVG line chart of the loss fields against the step. */
function lossChart(records: ReadonlyArray<Record<string, unknown>>): string {
  const points = (field: string) =>
    records.flatMap((record) => {
      const step = record['step'];
      const value = (record['losses'] as Record<string, unknown> | undefined)?.[field];
      return typeof step === 'number' && typeof value === 'number' && Number.isFinite(value)
        ? [[step, value] as const]
        : [];
    });
  const series = CURVES.map(([field, colour]) => ({ field, colour, points: points(field) })).filter(
    (entry) => entry.points.length > 0,
  );
  const all = series.flatMap((entry) => entry.points);
  if (all.length === 0) return '<p>No steps logged yet.</p>';
  const steps = all.map(([step]) => step);
  const values = all.map(([, value]) => value);
  const [minStep, maxStep] = [Math.min(...steps), Math.max(...steps)];
  const [minValue, maxValue] = [Math.min(...values), Math.max(...values)];
  const { width, height, margin } = CHART;
  const x = (step: number) =>
    margin + ((step - minStep) / Math.max(1, maxStep - minStep)) * (width - 2 * margin);
  const y = (value: number) =>
    height - margin - ((value - minValue) / Math.max(1e-12, maxValue - minValue)) * (height - 2 * margin);
  const lines = series.map(
    (entry) =>
      `<polyline fill="none" stroke="${entry.colour}" stroke-width="1.5" points="${entry.points
        .map(([step, value]) => `${x(step).toFixed(1)},${y(value).toFixed(1)}`)
        .join(' ')}"><title>${entry.field}</title></polyline>`,
  );
  const legend = series.map(
    (entry, index) =>
      `<text x="${margin + index * 95}" y="14" fill="${entry.colour}" font-size="12">${entry.field}</text>`,
  );
  const axes =
    `<line x1="${margin}" y1="${height - margin}" x2="${width - margin}" y2="${height - margin}" stroke="#888"/>` +
    `<line x1="${margin}" y1="${margin}" x2="${margin}" y2="${height - margin}" stroke="#888"/>` +
    `<text x="${margin}" y="${height - 10}" font-size="11">step ${minStep}</text>` +
    `<text x="${width - margin - 60}" y="${height - 10}" font-size="11">step ${maxStep}</text>` +
    `<text x="2" y="${margin}" font-size="11">${maxValue.toPrecision(3)}</text>` +
    `<text x="2" y="${height - margin}" font-size="11">${minValue.toPrecision(3)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${axes}${legend.join('')}${lines.join('')}</svg>`;
}

/**
 * Writes `<run>/report.html`: loss curves (inline SVG) and the `fakes-<step>.png` grids over time,
 * linked by relative paths so the folder reads offline.
 */
export async function writeTrainingReport(run: string, title: string): Promise<string> {
  const records = readMetrics(run);
  const grids = listFakes(run)
    .map(
      ({ step, file }) =>
        `<figure><img src="${file}" alt="samples at step ${step}"><figcaption>step ${step}</figcaption></figure>`,
    )
    .join('\n');
  const last = records.at(-1);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;margin:0 1em 1em 0}img{image-rendering:pixelated;width:256px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${records.length} steps logged${last ? `; last step ${String(last['step'])}` : ''}. Settings: <a href="config.json">config.json</a>, metrics: <a href="metrics.jsonl">metrics.jsonl</a>.</p>
<h2>Losses</h2>
${lossChart(records)}
<h2>Real images</h2>
<figure><img src="${RUN_FILES.reals}" alt="real training images"></figure>
<h2>Samples (fixed noise and captions)</h2>
${grids}
</body></html>
`;
  const path = join(run, RUN_FILES.report);
  await writeFileAtomic(path, html);
  return path;
}
