// The emulator in a process of its own, so that it never shares an event loop with what a benchmark measures.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export interface Emulator {
  url: string;
  process: ChildProcess;
}

export async function startEmulatorProcess(scenarioFile: string): Promise<Emulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/emulator/main.ts'), '--scenario', scenarioFile, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
  });
  return { url, process: child };
}

export async function control(url: string, action: string, payload: unknown): Promise<void> {
  const post = (): Promise<Response> => fetch(`${url}/control/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  // The kept-alive connection may have been closed by the emulator while the CLI runs were timed;
  // a control request is idempotent, so it is sent again on a fresh one.
  const res = await post().catch(() => post());
  if (!res.ok) throw new Error(`control ${action}: ${res.status} ${await res.text()}`);
}
