/**
 * Node maps ~712 MiB of address space before running any code (`node -e 0`, VmSize, Node 20.20):
 * code range, thread stacks, the heap reservation. Below ~720 MiB it dies at start; with
 * 1000 MiB a detector holding 100 MiB of Buffers and 1e6 small objects (267 MiB RSS) failed, with
 * 1200 MiB it ran. So the limit is memoryMb plus this overhead.
 */
export const DEFAULT_ADDRESS_SPACE_OVERHEAD_MB = 1024;

const MEMORY_MESSAGES =
  /out of memory|Allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Array buffer allocation failed|Cannot allocate memory|ENOMEM|std::bad_alloc/i;

// Under RLIMIT_AS, V8 reports a failed reservation with a fatal error that ends in SIGTRAP
// (exit 133 in a shell), SIGABRT or, when the failed mmap is not checked, SIGSEGV/SIGBUS.
const MEMORY_SIGNALS = new Set(["SIGABRT", "SIGTRAP", "SIGSEGV", "SIGBUS"]);

/** True when a command is a Node binary, so a heap limit can be passed as a flag. */
export function isNodeCommand(command: string): boolean {
  return command === process.execPath || /(^|\/)node(js)?(\d+)?$/.test(command);
}

/** Prepends `--max-old-space-size` unless the caller already chose one. */
export function withHeapLimit(args: string[], heapMb: number): string[] {
  if (args.some((arg) => arg.startsWith("--max-old-space-size"))) {
    return args;
  }
  return [`--max-old-space-size=${heapMb}`, ...args];
}

/**
 * Decides whether a failed run ran out of memory. The stderr text can be printed by rule code
 * itself, which only lets it turn its own failure into a memory failure: still a failure.
 */
export function detectMemoryExhaustion(o: {
  exitCode: number | null;
  signal: string | null;
  stderrText: string;
  addressSpaceLimited: boolean;
}): boolean {
  if (o.exitCode === 0) {
    return false;
  }
  if (o.signal && o.addressSpaceLimited && MEMORY_SIGNALS.has(o.signal)) {
    return true;
  }
  return MEMORY_MESSAGES.test(o.stderrText);
}
