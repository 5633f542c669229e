import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/*
 * A server in a child process, talked to over TCP: the README's start command in
 * test/server.test.ts, the crash test, and the benchmark (Satsa and its baseline).
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface ChildServer {
  child: ChildProcess;
  port: number;
  base: string;
  /** From spawning to the first 200 from /health. */
  startupMs: number;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export interface ChildServerOptions {
  /** Node arguments before the environment: the script (and a loader). Default: src/server.ts under tsx. */
  argv?: string[];
  env?: Record<string, string>;
  port?: number;
  timeoutMs?: number;
}

export async function startChildServer(options: ChildServerOptions = {}): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  const started = performance.now();
  const child = spawn(process.execPath, options.argv ?? ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 25_000);
  for (;;) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { child, port, base, startupMs: performance.now() - started, output: () => output, stop };
}
