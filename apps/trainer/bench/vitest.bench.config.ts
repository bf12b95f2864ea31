import { packageBenchConfig } from '../../../vitest.shared.ts';

/** The trainer's benchmark (`pnpm bench`; the bench script builds the CLI it runs first). */
export default packageBenchConfig({ include: ['bench/**/*.bench-run.ts'], testTimeout: 1_800_000 });
