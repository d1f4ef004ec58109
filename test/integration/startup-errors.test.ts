// What `npm start` says when it cannot start: a taken port is named with the variable that
// moves it, and `.env` in the working directory is read (here: it names the taken port).
// The real entry point, in a child process; it stops before any Temporal server starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'src', 'main.ts');

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

function start(
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', HOST: '127.0.0.1', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

it('names PORT, read from .env, when that port is taken', async () => {
  const { server, port } = await occupy();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-env-'));
    writeFileSync(join(dir, '.env'), `# as docker compose reads it\nPORT=${port}\n`);
    const result = await start(dir, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`PORT: port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain(`set PORT to a free port`);
    expect(result.stderr).not.toContain('EADDRINUSE');
  } finally {
    server.close();
  }
});

it('names TEMPORAL_PORT when the embedded dev server cannot have its port', async () => {
  const { server, port } = await occupy();
  const free = await occupy();
  const httpPort = free.port;
  free.server.close();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-env-'));
    const result = await start(dir, {
      PORT: String(httpPort),
      TEMPORAL_PORT: String(port),
      COUNTERSIGN_DATA_DIR: join(dir, 'data'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`TEMPORAL_PORT: port ${port} on 127.0.0.1 is already in use`);
  } finally {
    server.close();
  }
});
