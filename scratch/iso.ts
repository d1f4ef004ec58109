import { fork } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer } from '../src/temporal/dev-server';
import { loadConfig } from '../src/config';
import { createProviders } from '../src/providers';
import { createDataConverter } from '../src/encryption/data-converter';
import { signalWithStart } from '../src/temporal/transactions';
import { BENCH_CREDENTIALS, callbackRequest, planItems, withEvents, type BenchCallback } from '../bench/callbacks';

const procCpuMs = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (+f[11] + +f[12]) * 10; };
const selfCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
async function main() {
  const port = 7451;
  const ds = await startDevServer({ port, uiPort: 7452, dataDir: mkdtempSync('/tmp/prof/iso-'), namespace: 'default' });
  const env = { ...process.env, ...BENCH_CREDENTIALS, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', NODE_ENV: 'development' };
  Object.assign(process.env, env);
  const config = loadConfig(env);
  const providers = createProviders(config);
  const childOld = fork(`${__dirname}/iso-app.ts`, [], { env: { ...env, ISO_OLD_LOG: '1', ISO_WORKER: '' }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port: oldPort } = await new Promise<{ port: number }>((r) => childOld.once('message', r as any));
  const child = fork(`${__dirname}/iso-app.ts`, [], { env: { ...env, ISO_WORKER: '1' }, execArgv: ['--import', 'tsx', ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof/app'] : [])], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  console.log("forked");
  const { port: newPort } = await new Promise<{ port: number }>((r) => child.once('message', r as any));
  const connection = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
  const client = new Client({ connection, dataConverter: createDataConverter(config.encryption) });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const post = (cb: BenchCallback, appPort: number) => new Promise<number>((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port: appPort, path: cb.path, method: 'POST', headers: { ...cb.headers, 'content-length': Buffer.byteLength(cb.body) } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject); req.end(cb.body);
  });
  
  const conc = Number(process.env.CONC ?? 8);
  const run = async (via: string, prefix: string, n: number, target = child, appPort = newPort) => {
    const items = planItems({ kind: 'pairs', prefix, transactions: n / 2 }).map((it) => withEvents(providers, callbackRequest(it.provider, it.externalId, it.stage)));
    const c0 = selfCpuMs(), a0 = procCpuMs(target.pid!), d0 = procCpuMs(ds.pid!), t0 = performance.now();
    let next = 0, bad = 0;
    await Promise.all(Array.from({ length: conc }, async () => {
      while (next < items.length) {
        const cb = items[next++];
        if (via.startsWith('http')) { const s = await post(cb, appPort); if (s !== 200) bad++; }
        else await signalWithStart({ client, taskQueue: config.temporal.taskQueue, engine: config.engine }, cb.ref, cb.events, cb.dossierId);
      }
    }));
    const t = performance.now() - t0, k = items.length;
    console.log(`${via.padEnd(8)} n=${k} rate ${(k * 1000 / t).toFixed(0)}/s  loadgen ${((selfCpuMs() - c0) / k).toFixed(3)} ms/cb  app ${((procCpuMs(target.pid!) - a0) / k).toFixed(3)} ms/cb  server ${((procCpuMs(ds.pid!) - d0) / k).toFixed(2)} ms/cb  bad ${bad}`);
  };
  await run('http', 'warm-h', 600); await run('raw', 'warm-r', 600);
  await run('http-old', 'warm-o', 600, childOld, oldPort);
  for (let r = 0; r < 3; r++) { await run('raw', `r${r}`, 1500); await run('http', `h${r}`, 1500); }
  child.kill('SIGINT'); childOld.kill('SIGINT'); await new Promise((r) => setTimeout(r, 3000)); agent.destroy(); await connection.close(); await ds.stop(); process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
