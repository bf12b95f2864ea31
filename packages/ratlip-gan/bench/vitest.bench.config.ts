import { packageBenchConfig } from '../../../vitest.shared.ts';

/** The benchmark (`pnpm bench`): the model package's `*.bench-run.ts` files from their sources. */
export default packageBenchConfig({ include: ['bench/**/*.bench-run.ts'], testTimeout: 1_800_000 });
