/** Container formats recognised from a file's first bytes. */
export type FileKind = 'safetensors' | 'zip' | 'pickle';

/** Bytes {@link sniffFileKind} looks at. */
export const SNIFF_BYTES = 16;

/** Recognisers by kind, tried in order. */
const FILE_KIND_SIGNATURES: ReadonlyArray<readonly [FileKind, (prefix: Uint8Array) => boolean]> = [
  // Little-endian u64 header length (below 2^48), then the JSON header's opening brace.
  [
    'safetensors',
    (prefix) => prefix.byteLength > 8 && prefix[8] === 0x7b && prefix[6] === 0 && prefix[7] === 0,
  ],
  // Zip local file header or empty-archive record: .npz archives and torch.save checkpoints.
  ['zip', (prefix) => prefix[0] === 0x50 && prefix[1] === 0x4b && (prefix[2] === 0x03 || prefix[2] === 0x05)],
  // A bare pickle (protocol 2-5 opcode): a pre-1.6 torch.save checkpoint.
  ['pickle', (prefix) => prefix[0] === 0x80 && (prefix[1] ?? 0xff) <= 5],
];

/** The kind of a file from its first {@link SNIFF_BYTES} bytes, or undefined when none matches. */
export function sniffFileKind(prefix: Uint8Array): FileKind | undefined {
  return FILE_KIND_SIGNATURES.find(([, matches]) => matches(prefix))?.[0];
}

/** The first bytes of a file in hex, for "not a ... file" messages. */
export function describeFirstBytes(prefix: Uint8Array): string {
  return [...prefix.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
