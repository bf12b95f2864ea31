import { packageBenchConfig } from '../../../vitest.shared.ts';

/** The side-by-side benchmark (`pnpm bench:side-by-side` at the repository root), from the sources. */
export default packageBenchConfig({ include: ['bench/side-by-side.run.ts'], testTimeout: 3_600_000 });
