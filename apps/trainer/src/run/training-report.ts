import { join } from 'node:path';
import { writeFileAtomic } from '@ratlip/runtime/node';
import { readBestCheckpoint } from './best-checkpoint';
import { type EvaluationRecord, metricReport, readEvaluations } from './evaluation-log';
import { readJsonLines } from './json-lines';
import { listFakes, RUN_FILES } from './run-folder';

/** Loss series drawn in the report, by `metrics.jsonl` `losses` field. */
const LOSS_CURVES: ReadonlyArray<readonly [field: string, colour: string]> = [
  ['d', '#d62728'],
  ['g', '#1f77b4'],
  ['dReal', '#ff7f0e'],
  ['dFake', '#2ca02c'],
  ['dMismatch', '#9467bd'],
  ['maGp', '#8c564b'],
  ['clipSimilarity', '#17becf'],
];

/** Gradient-norm series, by `metrics.jsonl` `gradientNorms` field. */
const GRADIENT_CURVES: ReadonlyArray<readonly [field: string, colour: string]> = [
  ['generator', '#1f77b4'],
  ['discriminator', '#d62728'],
];

/** Shapes-alignment series of `eval.jsonl`, by breakdown entry (the chance levels are drawn dashed). */
const EVALUATION_CURVES: ReadonlyArray<readonly [field: string, colour: string]> = [
  ['overall', '#000000'],
  ['colour', '#d62728'],
  ['shape', '#2ca02c'],
  ['size', '#ff7f0e'],
  ['position', '#1f77b4'],
];

/** One line of a chart. */
interface Series {
  name: string;
  colour: string;
  points: ReadonlyArray<readonly [step: number, value: number]>;
  dashed?: boolean;
}

const CHART = { width: 720, height: 260, margin: 40 } as const;

/** The records of a run's `metrics.jsonl` (unreadable lines skipped). */
export function readMetrics(run: string): Array<Record<string, unknown>> {
  return readJsonLines(join(run, RUN_FILES.metrics));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** `(step, record[group][field])` of every record where both are finite numbers. */
function fieldPoints(
  records: ReadonlyArray<Record<string, unknown>>,
  group: string,
  field: string,
): Array<readonly [number, number]> {
  return records.flatMap((record) => {
    const step = record['step'];
    const value = (record[group] as Record<string, unknown> | undefined)?.[field];
    return typeof step === 'number' && typeof value === 'number' && Number.isFinite(value)
      ? [[step, value] as const]
      : [];
  });
}

/**
 * Smallest and largest of `values` (not empty). A loop, not `Math.min(...values)`: a long run's charts
 * hold over 100,000 points, more arguments than a call can take.
 */
function extent(values: readonly number[]): [number, number] {
  let low = values[0]!;
  let high = low;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}

/** An inline SVG line chart of `series` against the step; `empty` when no series has a point. */
function lineChart(candidates: readonly Series[], empty: string): string {
  const series = candidates.filter((entry) => entry.points.length > 0);
  const all = series.flatMap((entry) => entry.points);
  if (all.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  const [minStep, maxStep] = extent(all.map(([step]) => step));
  const [minValue, maxValue] = extent(all.map(([, value]) => value));
  const { width, height, margin } = CHART;
  const x = (step: number) =>
    margin + ((step - minStep) / Math.max(1, maxStep - minStep)) * (width - 2 * margin);
  const y = (value: number) =>
    height - margin - ((value - minValue) / Math.max(1e-12, maxValue - minValue)) * (height - 2 * margin);
  const lines = series.map(
    (entry) =>
      `<polyline fill="none" stroke="${entry.colour}" stroke-width="1.5"${entry.dashed ? ' stroke-dasharray="4 3"' : ''} points="${entry.points
        .map(([step, value]) => `${x(step).toFixed(1)},${y(value).toFixed(1)}`)
        .join(' ')}"><title>${escapeHtml(entry.name)}</title></polyline>`,
  );
  const markers = series
    .filter((entry) => entry.points.length === 1)
    .map(
      (entry) =>
        `<circle cx="${x(entry.points[0]![0]).toFixed(1)}" cy="${y(entry.points[0]![1]).toFixed(1)}" r="3" fill="${entry.colour}"/>`,
    );
  const legend = series
    .filter((entry) => !entry.dashed)
    .map(
      (entry, index) =>
        `<text x="${margin + index * 95}" y="14" fill="${entry.colour}" font-size="12">${escapeHtml(entry.name)}</text>`,
    );
  const axes =
    `<line x1="${margin}" y1="${height - margin}" x2="${width - margin}" y2="${height - margin}" stroke="#888"/>` +
    `<line x1="${margin}" y1="${margin}" x2="${margin}" y2="${height - margin}" stroke="#888"/>` +
    `<text x="${margin}" y="${height - 10}" font-size="11">step ${minStep}</text>` +
    `<text x="${width - margin - 60}" y="${height - 10}" font-size="11">step ${maxStep}</text>` +
    `<text x="2" y="${margin}" font-size="11">${maxValue.toPrecision(3)}</text>` +
    `<text x="2" y="${height - margin}" font-size="11">${minValue.toPrecision(3)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${axes}${legend.join('')}${lines.join('')}${markers.join('')}</svg>`;
}

/** Curves of the Shapes-alignment records of `eval.jsonl`, each attribute with its chance level dashed. */
function evaluationSeries(records: readonly EvaluationRecord[]): Series[] {
  const breakdowns = records.flatMap((record) => {
    const breakdown = metricReport(record, 'shapes-alignment')?.breakdown;
    return breakdown ? [{ step: record.step, breakdown }] : [];
  });
  return EVALUATION_CURVES.flatMap(([field, colour]) => {
    const chanceField = `chance${field[0]!.toUpperCase()}${field.slice(1)}`;
    return [
      { name: field, colour, points: fieldPoints(breakdowns, 'breakdown', field) },
      {
        name: `${field} by chance`,
        colour,
        points: fieldPoints(breakdowns, 'breakdown', chanceField),
        dashed: true,
      },
    ];
  });
}

/** Other metrics of `eval.jsonl` (FID, KID, CLIP score), one curve (and chart) each. */
function otherMetricSeries(records: readonly EvaluationRecord[]): Series[] {
  const names = [
    ...new Set(records.flatMap((record) => record.metrics.map((report) => report.metric))),
  ].filter((name) => name !== 'shapes-alignment');
  const colours = ['#9467bd', '#8c564b', '#17becf', '#e377c2'];
  return names.map((name, index) => ({
    name,
    colour: colours[index % colours.length]!,
    points: records.flatMap((record) => {
      const value = metricReport(record, name)?.value;
      return value !== undefined && Number.isFinite(value) ? [[record.step, value] as const] : [];
    }),
  }));
}

/**
 * Writes `<run>/report.html`: curves (inline SVG) of the losses and gradient norms of `metrics.jsonl`
 * and of the evaluations of `eval.jsonl` (Shapes alignment per attribute with chance levels, any
 * other metric on its own chart), the best checkpoint, and the `fakes-<step>.png` grids over time,
 * linked by relative paths so the folder reads offline.
 */
export async function writeTrainingReport(run: string, title: string): Promise<string> {
  const records = readMetrics(run);
  const evaluations = readEvaluations(run);
  const best = readBestCheckpoint(run);
  const others = otherMetricSeries(evaluations);
  const losses = LOSS_CURVES.map(([field, colour]) => ({
    name: field,
    colour,
    points: fieldPoints(records, 'losses', field),
  }));
  const gradients = GRADIENT_CURVES.map(([field, colour]) => ({
    name: field,
    colour,
    points: fieldPoints(records, 'gradientNorms', field),
  }));
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
<p>${records.length} steps logged${last ? `; last step ${String(last['step'])}` : ''}. Settings: <a href="config.json">config.json</a>, metrics: <a href="metrics.jsonl">metrics.jsonl</a>, evaluations: <a href="eval.jsonl">eval.jsonl</a>.</p>
<h2>Losses</h2>
${lineChart(losses, 'No steps logged yet.')}
<h2>Gradient norms (global L2 per network)</h2>
${lineChart(gradients, 'No gradient norms logged.')}
<h2>Shapes alignment on held-out captions</h2>
<p>Accuracy per attribute; dashed: the chance level of each. ${best ? `Best checkpoint (<code>checkpoints/best</code>): ${escapeHtml(best.metric)} ${best.value.toFixed(3)} at step ${best.step} on ${best.samples} images.` : 'No best checkpoint yet.'}</p>
${lineChart(evaluationSeries(evaluations), 'No Shapes-alignment evaluations yet.')}
${others.map((series) => `<h2>${escapeHtml(series.name)}</h2>\n${lineChart([series], '')}`).join('\n')}
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
