import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../run-cli.test-support';
import { writeTrainingReport } from './training-report';

const folder = temporaryFolder('ratlip-report-');

describe('writeTrainingReport', () => {
  it("charts a long run's losses (more points than a call takes arguments)", async () => {
    const run = join(folder, 'long');
    mkdirSync(run, { recursive: true });
    const steps = 30_000;
    const lines: string[] = [];
    for (let step = 1; step <= steps; step++) {
      const wave = Math.sin(step / 500);
      const losses = {
        dReal: 0.5 + wave,
        dFake: 0.4,
        dMismatch: 0.3,
        maGp: 0.01,
        d: 1 + wave,
        gAdversarial: 1,
        clipSimilarity: 0.9,
        clipContrast: 0,
        g: -2 - wave,
      };
      lines.push(JSON.stringify({ step, losses, gradientNorms: { discriminator: 1, generator: 2 } }));
    }
    writeFileSync(join(run, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    await writeTrainingReport(run, 'a long run');
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toContain(`${steps} steps logged; last step ${steps}`);
    expect(html).toContain(`step ${steps}</text>`);
    // The loss chart's value range spans the extremes of d and g.
    expect(html).toContain(`>${(2).toPrecision(3)}</text>`);
    expect(html).toContain(`>${(-3).toPrecision(3)}</text>`);
  });
});
