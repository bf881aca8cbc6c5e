// Load generators and the results table, shared by the bench cases.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

export const SECONDS = Number(process.env.SNEK_BENCH_SECONDS ?? 10);
export const ROUNDS = 3;
export const WARMUP = 2;

export const rows = [];
export const row = (name, value, target, pass) => {
  rows.push({ name, value, target, pass });
  console.error(`${pass === undefined ? '    ' : pass ? 'ok  ' : 'MISS'} ${name}: ${value}${target ? `  (target ${target})` : ''}`);
};

export function load(url, options = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 32, duration: SECONDS, ...options }, (error, result) => {
      if (error) return reject(error);
      if (result.errors || result.non2xx) return reject(new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx`));
      resolve(result);
    });
  });
}

/** Warms both servers up (JIT), then alternates them in ROUNDS runs, so drift on a shared machine hits both alike. */
export async function versus(floorUrl, snekUrl, run = (url, duration) => load(url, { duration }).then((r) => r.requests.average)) {
  await run(floorUrl, WARMUP);
  await run(snekUrl, WARMUP);
  let floor = 0;
  let snek = 0;
  for (let i = 0; i < ROUNDS; i++) {
    floor += (await run(floorUrl, SECONDS / ROUNDS)) / ROUNDS;
    snek += (await run(snekUrl, SECONDS / ROUNDS)) / ROUNDS;
  }
  return { floor, snek, ratio: snek / floor };
}

/** Whether wrk is installed; says once how to get it when it is not. */
export const hasWrk = (() => {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
  if (!found) console.error('wrk is not installed, so the postgres cases use autocannon alone. Install it with: apt-get install -y wrk');
  return found;
})();

/**
 * Runs wrk (C, its own threads: it saturates far later than autocannon, which shares one JS thread) against
 * each url at once and resolves the summed 2xx/3xx requests per second. `script` is Lua, e.g. for PUTs.
 */
export async function wrk(urls, { duration: asked = SECONDS, connections = 32, script } = {}) {
  let duration = asked;
  const each = Math.max(1, Math.round(connections / urls.length));
  duration = Math.max(1, Math.round(duration)); // wrk takes whole seconds
  const runs = urls.map(
    (url) =>
      new Promise((resolve, reject) => {
        const args = ['-t', urls.length > 1 ? '1' : '2', '-c', String(each), '-d', `${duration}s`, ...(script ? ['-s', script] : []), url];
        const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code !== 0) return reject(new Error(`wrk ${args.join(' ')} exited ${code}:\n${out}`));
          const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
          const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
          const errors = /Socket errors: (.*)/.exec(out)?.[1];
          resolve({ perSecond: (requests - bad) / duration, bad, errors });
        });
      }),
  );
  const results = await Promise.all(runs);
  return { perSecond: results.reduce((sum, r) => sum + r.perSecond, 0), bad: results.reduce((sum, r) => sum + r.bad, 0), errors: results.map((r) => r.errors).filter(Boolean) };
}

/** A wrk Lua script that PUTs a new snek per request (ids differ across wrk's threads by a random part). */
export function wrkPutScript(file, token, body) {
  writeFileSync(
    file,
    `math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local prefix = "w" .. math.random(1, 1e9) .. "-"
local n = 0
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${token}"
wrk.body = ${JSON.stringify(body)}
request = function()
  n = n + 1
  return wrk.format(nil, "/v1/sneks/" .. prefix .. n)
end
`,
  );
  return file;
}
