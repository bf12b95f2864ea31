import { copyBytes } from '../io/copy-bytes';

/**
 * A restricted pickle reader: it interprets the pickle opcodes of protocols 0-5 as data and never runs
 * code. Python globals (classes and functions a pickle names) are resolved only through the caller's
 * allowlist; any other global is refused with an error naming it and the file. This is what lets
 * RATLIP.js read DF-GAN's `filenames.pickle` and PyTorch checkpoints without Python and without the
 * risk of a pickle executing `os.system`.
 */

const TUPLE = Symbol('pickle tuple');

/** A Python tuple: a frozen array marked so callers can tell it from a list ({@link isPickleTuple}). */
export type PickleTuple = readonly unknown[] & { readonly [TUPLE]: true };

function makeTuple(items: unknown[]): PickleTuple {
  Object.defineProperty(items, TUPLE, { value: true });
  return Object.freeze(items) as unknown as PickleTuple;
}

/** True when `value` was a tuple in the pickle. */
export function isPickleTuple(value: unknown): value is PickleTuple {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** A Python object built by REDUCE/NEWOBJ/BUILD from an allowed global the caller did not interpret. */
export interface PickleObject {
  kind: 'object';
  /** `module.name` of the global. */
  global: string;
  args: unknown[];
  state?: unknown;
}

/** What an allowed global turns into: a callable taking the REDUCE/NEWOBJ arguments. */
export interface PickleGlobal {
  /** Called by REDUCE and NEWOBJ with the argument tuple. */
  call(args: unknown[]): unknown;
  /** Applies BUILD state to an object this global made; default: record it on a PickleObject or merge into a Map. */
  build?(target: unknown, state: unknown): unknown;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Name of the file, used in error messages. Default `'pickle'`. */
  source?: string;
  /**
   * Resolves an allowed global `module.name`. Return undefined to refuse it. Default: refuse every
   * global, so only plain data (str, bytes, int, float, list, tuple, dict, set, None, bool) loads.
   */
  resolveGlobal?: (module: string, name: string) => PickleGlobal | undefined;
  /** Resolves a persistent id (PyTorch uses them for tensor storages). Default: refuse them. */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Thrown for malformed or refused pickles; the message names the file, the byte offset and the opcode. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

const MARK = Symbol('mark');

/** A global that records its arguments; for allowlists that only need the data. */
export function recordingGlobal(module: string, name: string): PickleGlobal {
  return { call: (args) => ({ kind: 'object', global: `${module}.${name}`, args }) satisfies PickleObject };
}

/**
 * Reads one pickle from `bytes` and returns the Python value as JS data: str → string (Python 2 str:
 * UTF-8, else Latin-1), bytes →
 * Uint8Array, int → number (bigint beyond 2^53), float → number, None → null, list → Array, tuple →
 * {@link PickleTuple}, dict → Map, set/frozenset → Set.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  return new Unpickler(bytes, options).load();
}

class Unpickler {
  private position = 0;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private readonly source: string;
  private opcodeAt = 0;
  private opcode = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.source = options.source ?? 'pickle';
  }

  private fail(message: string): never {
    const op = JSON.stringify(String.fromCharCode(this.opcode));
    throw new PickleError(
      `${this.source}: ${message} (opcode ${op} 0x${this.opcode.toString(16)} at byte ${this.opcodeAt})`,
    );
  }

  private take(count: number): Uint8Array {
    if (count < 0 || this.position + count > this.bytes.byteLength) {
      this.fail(`needs ${count} more bytes but the file ends at ${this.bytes.byteLength} (truncated?)`);
    }
    const out = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return out;
  }

  private u8(): number {
    return this.take(1)[0]!;
  }

  private u16(): number {
    const value = this.view.getUint16(this.position, true);
    this.take(2);
    return value;
  }

  private u32(): number {
    this.take(4);
    return this.view.getUint32(this.position - 4, true);
  }

  private i32(): number {
    this.take(4);
    return this.view.getInt32(this.position - 4, true);
  }

  private u64(): number {
    this.take(8);
    const value = this.view.getBigUint64(this.position - 8, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${value} is too large`);
    return Number(value);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) this.fail('expected a newline-terminated argument');
    const text = latin1.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text;
  }

  private utf8(count: number): string {
    return new TextDecoder('utf-8').decode(this.take(count));
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    const value = this.stack.pop();
    if (value === MARK) this.fail('unexpected mark on the stack');
    return value;
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('no mark to pop to');
    const items = this.stack.splice(mark);
    items.shift();
    return items;
  }

  private pushMark(): void {
    this.marks.push(this.stack.length);
    this.stack.push(MARK);
  }

  private resolve(module: string, name: string): PickleGlobal {
    const resolved = this.options.resolveGlobal?.(module, name);
    if (!resolved) this.fail(`refusing global '${module}.${name}': only allowlisted data types may load`);
    return resolved;
  }

  private setItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof Map)) this.fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  }

  private append(target: unknown, items: unknown[]): void {
    if (Array.isArray(target)) {
      target.push(...items);
      return;
    }
    if (target instanceof Set) {
      for (const item of items) target.add(item);
      return;
    }
    this.fail('APPEND(S) on something that is not a list');
  }

  private call(callable: unknown, args: unknown[]): unknown {
    if (!isGlobal(callable)) this.fail('REDUCE/NEWOBJ on something that is not an allowed global');
    return callable.call(args);
  }

  private memoKey(): number {
    return this.memo.size;
  }

  load(): unknown {
    for (;;) {
      this.opcodeAt = this.position;
      this.opcode = this.u8();
      switch (String.fromCharCode(this.opcode)) {
        case '\x80': // PROTO
          if (this.u8() > 5) this.fail('unsupported pickle protocol');
          break;
        case '\x95': // FRAME
          this.u64();
          break;
        case '.': // STOP
          return this.pop();
        case '(':
          this.pushMark();
          break;
        case ']':
          this.stack.push([]);
          break;
        case '}':
          this.stack.push(new Map());
          break;
        case ')':
          this.stack.push(makeTuple([]));
          break;
        case '\x8f': // EMPTY_SET
          this.stack.push(new Set());
          break;
        case 'l':
          this.stack.push(this.popMark());
          break;
        case 't':
          this.stack.push(makeTuple(this.popMark()));
          break;
        case '\x85':
          this.stack.push(makeTuple([this.pop()]));
          break;
        case '\x86': {
          const b = this.pop();
          const a = this.pop();
          this.stack.push(makeTuple([a, b]));
          break;
        }
        case '\x87': {
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.stack.push(makeTuple([a, b, c]));
          break;
        }
        case 'd': {
          const map = new Map();
          this.setItems(map, this.popMark());
          this.stack.push(map);
          break;
        }
        case '\x91': // FROZENSET
          this.stack.push(new Set(this.popMark()));
          break;
        case 'a': {
          const item = this.pop();
          this.append(this.top(), [item]);
          break;
        }
        case 'e': {
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case '\x90': {
          // ADDITEMS
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case 's': {
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 'u': {
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 'X':
          this.stack.push(this.utf8(this.u32()));
          break;
        case '\x8c':
          this.stack.push(this.utf8(this.u8()));
          break;
        case '\x8d':
          this.stack.push(this.utf8(this.u64()));
          break;
        case 'T':
          this.stack.push(decodePython2String(this.take(this.i32())));
          break;
        case 'U':
          this.stack.push(decodePython2String(this.take(this.u8())));
          break;
        case 'B':
          this.stack.push(copyBytes(this.take(this.u32())));
          break;
        case 'C':
          this.stack.push(copyBytes(this.take(this.u8())));
          break;
        case '\x8e':
          this.stack.push(copyBytes(this.take(this.u64())));
          break;
        case '\x96': // BYTEARRAY8
          this.stack.push(copyBytes(this.take(this.u64())));
          break;
        case 'V':
          this.stack.push(decodeRawUnicodeEscape(this.line()));
          break;
        case 'S':
          this.stack.push(
            decodePython2String(
              Uint8Array.from(
                parsePythonStringLiteral(this.line(), (m) => this.fail(m)),
                (c) => c.charCodeAt(0),
              ),
            ),
          );
          break;
        case 'J':
          this.stack.push(this.i32());
          break;
        case 'K':
          this.stack.push(this.u8());
          break;
        case 'M':
          this.stack.push(this.u16());
          break;
        case 'I': {
          const text = this.line();
          if (text === '00') this.stack.push(false);
          else if (text === '01') this.stack.push(true);
          else this.stack.push(toNumber(BigInt(text)));
          break;
        }
        case 'L':
          this.stack.push(toNumber(BigInt(this.line().replace(/L$/, ''))));
          break;
        case '\x8a':
          this.stack.push(toNumber(littleEndianSigned(this.take(this.u8()))));
          break;
        case '\x8b': {
          const length = this.i32();
          if (length < 0) this.fail('negative LONG4 length');
          this.stack.push(toNumber(littleEndianSigned(this.take(length))));
          break;
        }
        case 'G':
          this.take(8);
          this.stack.push(this.view.getFloat64(this.position - 8, false));
          break;
        case 'F':
          this.stack.push(Number.parseFloat(this.line()));
          break;
        case 'N':
          this.stack.push(null);
          break;
        case '\x88':
          this.stack.push(true);
          break;
        case '\x89':
          this.stack.push(false);
          break;
        case 'q':
          this.memo.set(this.u8(), this.top());
          break;
        case 'r':
          this.memo.set(this.u32(), this.top());
          break;
        case 'p':
          this.memo.set(Number.parseInt(this.line(), 10), this.top());
          break;
        case '\x94':
          this.memo.set(this.memoKey(), this.top());
          break;
        case 'h':
          this.stack.push(this.fromMemo(this.u8()));
          break;
        case 'j':
          this.stack.push(this.fromMemo(this.u32()));
          break;
        case 'g':
          this.stack.push(this.fromMemo(Number.parseInt(this.line(), 10)));
          break;
        case '0':
          if (this.stack[this.stack.length - 1] === MARK) this.popMark();
          else this.pop();
          break;
        case '1':
          this.popMark();
          break;
        case '2':
          this.stack.push(this.top());
          break;
        case 'c': {
          const module = this.line();
          const name = this.line();
          this.stack.push(this.resolve(module, name));
          break;
        }
        case '\x93': {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string')
            this.fail('STACK_GLOBAL needs two strings');
          this.stack.push(this.resolve(module, name));
          break;
        }
        case 'R': {
          const args = this.pop();
          const callable = this.pop();
          if (!Array.isArray(args)) this.fail('REDUCE arguments are not a tuple');
          this.stack.push(this.call(callable, args));
          break;
        }
        case '\x81': {
          const args = this.pop();
          const cls = this.pop();
          if (!Array.isArray(args)) this.fail('NEWOBJ arguments are not a tuple');
          this.stack.push(this.call(cls, args));
          break;
        }
        case '\x92': {
          this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!Array.isArray(args)) this.fail('NEWOBJ_EX arguments are not a tuple');
          this.stack.push(this.call(cls, args));
          break;
        }
        case 'b': {
          const state = this.pop();
          const target = this.pop();
          this.stack.push(this.build(target, state));
          break;
        }
        case 'Q': {
          const pid = this.pop();
          this.stack.push(this.persistent(pid));
          break;
        }
        case 'P':
          this.stack.push(this.persistent(this.line()));
          break;
        default:
          this.fail('unsupported opcode');
      }
    }
  }

  private fromMemo(key: number): unknown {
    if (!this.memo.has(key)) this.fail(`memo key ${key} was never stored`);
    return this.memo.get(key);
  }

  private persistent(pid: unknown): unknown {
    if (!this.options.persistentLoad) this.fail('persistent ids are not allowed in this file');
    return this.options.persistentLoad(pid);
  }

  private build(target: unknown, state: unknown): unknown {
    const owner = builders.get(target as object);
    if (owner?.build) return owner.build(target, state);
    if (target instanceof Map && state instanceof Map) {
      for (const [key, value] of state) target.set(key, value);
      return target;
    }
    if (isPickleObject(target)) {
      target.state = state;
      return target;
    }
    this.fail('BUILD on a value that takes no state');
  }
}

/**
 * Objects made by an allowed global that defines `build`, so BUILD can route the state back to it.
 * Registered by {@link withBuild}.
 */
const builders = new WeakMap<object, PickleGlobal>();

/** Wraps a global whose products accept BUILD state through `global.build`. */
export function withBuild(global: Required<PickleGlobal>): PickleGlobal {
  return {
    call(args) {
      const made = global.call(args);
      if (typeof made === 'object' && made !== null) builders.set(made, global);
      return made;
    },
    build: global.build,
  };
}

function isGlobal(value: unknown): value is PickleGlobal {
  return typeof value === 'object' && value !== null && typeof (value as PickleGlobal).call === 'function';
}

function isPickleObject(value: unknown): value is PickleObject {
  return typeof value === 'object' && value !== null && (value as PickleObject).kind === 'object';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Python 2 `str` is bytes: text files of that era are UTF-8 or Latin-1, so try them in that order. */
function decodePython2String(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

function toNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function littleEndianSigned(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short: string, long: string) =>
    String.fromCodePoint(Number.parseInt(short ?? long, 16)),
  );
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function parsePythonStringLiteral(literal: string, fail: (message: string) => never): string {
  const quote = literal[0];
  if ((quote !== "'" && quote !== '"') || literal[literal.length - 1] !== quote) {
    fail('STRING argument is not a quoted literal');
  }
  return literal
    .slice(1, -1)
    .replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, hex: string | undefined, char: string) =>
      hex ? String.fromCharCode(Number.parseInt(hex, 16)) : (SIMPLE_ESCAPES[char] ?? `\\${char}`),
    );
}
