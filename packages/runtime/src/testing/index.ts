export { fixturePath, fixturesRoot, readFixture, readJsonFixture } from './fixtures';
export { fnv1a32, proceduralUniform, proceduralValues } from './procedural-weights';
