// `node lib/healthcheck.js [/path]`: the container health probe. Asks this container's own
// HTTP server (PORT) and exits 0 on a 2xx answer, 1 otherwise; no curl in the image needed.
import { loadConfig } from './config';

async function probe(path: string): Promise<boolean> {
  const { port } = loadConfig().http;
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
    return res.ok;
  } catch {
    return false;
  }
}

void probe(process.argv[2] ?? '/healthz').then((ok) => process.exit(ok ? 0 : 1));
