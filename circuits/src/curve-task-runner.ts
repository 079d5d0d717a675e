/**
 * One step of a task ffjavascript's curve engine runs in WebAssembly: put a buffer in memory
 * (ALLOCSET, ALLOC, SET), call an exported function (CALL), or copy a result out (GET).
 */
type CurveTaskStep =
  | { cmd: "ALLOCSET"; var: number; buff: Uint8Array | ArrayBuffer }
  | { cmd: "ALLOC"; var: number; len: number }
  | { cmd: "SET"; var: number; buff: Uint8Array | ArrayBuffer }
  | { cmd: "CALL"; fnName: string; params: ({ var: number; offset?: number } | { val: number })[] }
  | { cmd: "GET"; out: number; var: number; len: number };

/** Runs a task's steps in order and returns what its GET steps copied out. */
export type CurveTaskRunner = (task: readonly CurveTaskStep[]) => Uint8Array[];

/** What this file uses of WebAssembly (the project's TypeScript libraries do not declare it). */
interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WebAssemblyRuntime {
  Memory: new (descriptor: { initial: number; maximum: number }) => WebAssemblyMemory;
  instantiate(code: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyRuntime };

/** WebAssembly memory is counted in pages of 64 KiB; ffjavascript starts a task memory at 25 and caps it at 32,767. */
const PAGE_BYTES = 0x1_0000;
const INITIAL_PAGES = 25;
const MAX_PAGES = 32_767;

/**
 * A runner for ffjavascript's curve tasks on the calling thread, doing what its own single-thread
 * runner does (a fresh bump allocation per task, in memory of the curve's WebAssembly module)
 * without copying each input buffer into a temporary first. That runner copies the bases and
 * scalars of a multi-exponentiation once per window of bits, 29 times for a 7,700-point one:
 * about 20 MB of garbage buffers per multi-exponentiation, which pile up in resident memory
 * until V8 collects them.
 */
export async function curveTaskRunner(code: Uint8Array): Promise<CurveTaskRunner> {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const { instance } = await WebAssembly.instantiate(code, { env: { memory } });
  const functions = instance.exports as Record<string, (...params: number[]) => void>;
  // Word 0 of the memory is the module's free pointer, as in ffjavascript's runner.
  const freePointer = () => new Uint32Array(memory.buffer, 0, 1);

  const alloc = (length: number): number => {
    const free = freePointer();
    const start = (free[0]! + 3) & ~3;
    const end = start + length;
    free[0] = end;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
    return start;
  };
  const write = (pointer: number, bytes: Uint8Array | ArrayBuffer) =>
    new Uint8Array(memory.buffer).set(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes, pointer);

  return (task) => {
    const vars: number[] = [];
    const out: Uint8Array[] = [];
    const startFree = freePointer()[0]!;
    try {
      for (const step of task) {
        switch (step.cmd) {
          case "ALLOCSET":
            vars[step.var] = alloc(step.buff.byteLength);
            write(vars[step.var]!, step.buff);
            break;
          case "ALLOC":
            vars[step.var] = alloc(step.len);
            break;
          case "SET":
            write(vars[step.var]!, step.buff);
            break;
          case "CALL":
            functions[step.fnName]!(
              ...step.params.map((param) => ("val" in param ? param.val : vars[param.var]! + (param.offset ?? 0))),
            );
            break;
          case "GET":
            out[step.out] = new Uint8Array(memory.buffer, vars[step.var], step.len).slice();
            break;
        }
      }
    } finally {
      freePointer()[0] = startFree;
    }
    return out;
  };
}
