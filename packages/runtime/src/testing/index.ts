export { describeEachBackend } from './backends';
export { fixturePath, fixturesRoot, listFixtures, readFixture, readJsonFixture } from './fixtures';
export { fnv1a32, proceduralUniform, proceduralValues } from './procedural-weights';
export type { TensorLeakOptions, TensorLeakReport } from './tensor-leaks';
export { countTensorsDuring, expectNoTensorLeak } from './tensor-leaks';
