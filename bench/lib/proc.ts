/** Processes the bench starts: the server under test, the baseline peer, and their memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the server's `OPEN_STS_PORT=0` would not tell us which one it took). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  readonly url: string;
  /** The process(es) that serve requests: the server itself, or a cluster's primary and its workers. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/**
 * Spawns `command args…` and resolves once it prints a line containing `listening`; the URL is the
 * first `http://…` on that line, else `http://127.0.0.1:<port>`. Worker PIDs are read from a
 * `workers <pid,pid>` suffix.
 */
export function spawnListening(command: string, args: readonly string[], env: NodeJS.ProcessEnv, port: number, label: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${label} did not start within 60 s\n${out}\n${err}`)), 60_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    child.on('exit', (code) => fail(new Error(`${label} exited with ${code} before listening\n${out}\n${err}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (settled) return;
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('listening'));
      if (!line) return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = /http:\/\/[^\s)]+/.exec(line)?.[0] ?? `http://127.0.0.1:${port}`;
      const workers = /workers ([\d,]+)/.exec(line)?.[1]?.split(',').map(Number) ?? [];
      resolve({ url, pids: [child.pid!, ...workers], stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    // SIGTERM lets the server finish in-flight requests and (under --cpu-prof) write its profile.
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface Memory {
  /** Resident set size now, in MB. */
  readonly rssMb: number;
  /** Peak resident set size (VmHWM) since start or since the last resetPeak, in MB. */
  readonly peakMb: number;
}

/** Summed over `pids`, from /proc/<pid>/status; undefined off Linux. */
export function memory(pids: readonly number[]): Memory | undefined {
  let rss = 0;
  let hwm = 0;
  try {
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      hwm += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
  } catch {
    return undefined;
  }
  return { rssMb: rss / 1024, peakMb: hwm / 1024 };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: `echo 5 > /proc/<pid>/clear_refs`); false if not possible. */
export function resetPeak(pids: readonly number[]): boolean {
  try {
    for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time and run-queue wait of a set of processes, in nanoseconds. */
export interface CpuTime {
  /** Time on a CPU (user + system), all threads. */
  readonly runNs: number;
  /** Time runnable but waiting for a CPU: how much other work on the machine delayed these processes. */
  readonly waitNs: number;
}

/**
 * CPU time consumed so far by `pids` and all their threads, from
 * /proc/<pid>/task/<tid>/schedstat; undefined off Linux. Divided by the requests served it gives
 * the cost of a request, which machine noise disturbs far less than throughput.
 */
export function cpuTime(pids: readonly number[]): CpuTime | undefined {
  let runNs = 0;
  let waitNs = 0;
  try {
    for (const pid of pids) {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
          runNs += Number(run);
          waitNs += Number(wait);
        } catch {
          // the thread ended between the listing and the read
        }
      }
    }
  } catch {
    return undefined;
  }
  return { runNs, waitNs };
}
