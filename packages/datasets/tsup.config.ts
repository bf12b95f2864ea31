import { libraryConfig } from '../../tsup.shared.ts';

export default libraryConfig({ index: 'src/index.ts', node: 'src/node.ts', browser: 'src/browser.ts' });
