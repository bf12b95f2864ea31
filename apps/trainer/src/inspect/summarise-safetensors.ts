import { openSafetensorsFile } from '@ratlip/runtime/node';
import { elementCount, summaryOf, type WeightFileSummary } from './weight-file-summary';

/** Summarises a safetensors file from its header alone: no tensor data is read. */
export function summariseSafetensors(path: string): WeightFileSummary {
  const file = openSafetensorsFile(path);
  try {
    const tensors = file.names().map((name) => {
      const { dtype, shape } = file.entry(name);
      return { name, dtype, shape: [...shape], count: elementCount(shape) };
    });
    return summaryOf(path, 'safetensors', file.fileBytes, tensors, { ...file.metadata });
  } finally {
    file.close();
  }
}
