import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadConfig } from '@snek/core';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { hasPromtool, parseSamples, promtool, promtoolMissing, promtoolRequired } from './helpers/metrics-text.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';

// docs/operating.md#metrics: its .snekrc, its Prometheus scrape config and its queries, checked against a real scrape.
const DOC = await readFile(new URL('../../../docs/operating.md', import.meta.url), 'utf8');
const START = DOC.indexOf('\n## Metrics\n');
const END = DOC.indexOf('\n## ', START + 1);
const METRICS = DOC.slice(START, END === -1 ? undefined : END);
const fenced = (lang: string) => [...METRICS.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const snekrc = fenced('yaml').find((block) => block.startsWith('# .snekrc with metrics\n'))!;
const prometheusYml = fenced('yaml').find((block) => block.startsWith('# prometheus.yml\n'))!;
const queryBlocks = fenced('promql');
const expressions = queryBlocks.flatMap((block) => block.split('\n').filter((line) => line.trim() && !line.startsWith('#')));

// What PromQL names that is not a metric: functions, aggregations, keywords, and the labels Prometheus adds.
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'rate', 'by', 'on', 'without', 'scalar', 'histogram_quantile', 'group_left', 'group_right']);
const ADDED_LABELS = new Set(['instance', 'job', 'le']);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'snek-operating-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropBuiltInStoreData();
});

describe('docs/operating.md: metrics', () => {
  it('has its .snekrc, its scrape config and five queries', () => {
    expect([Boolean(snekrc), Boolean(prometheusYml), queryBlocks.length]).toEqual([true, true, 5]);
  });

  it('the .snekrc turns metrics on with its allow list', async () => {
    await writeFile(path.join(dir, '.snekrc'), snekrc);
    const { config } = await loadConfig({ cwd: dir, env: { HOME: dir } });
    expect(config.server.metrics).toEqual({ allow: ['10.0.0.0/8'] });
  });

  it('the scrape config asks for /metrics with a bearer token from a file', () => {
    const job = (parse(prometheusYml) as { scrape_configs: Array<Record<string, unknown>> }).scrape_configs[0]!;
    expect(job).toMatchObject({ job_name: 'snek', metrics_path: '/metrics', authorization: { type: 'Bearer', credentials_file: expect.any(String) } });
  });

  const check = hasPromtool || promtoolRequired ? it : it.skip;
  check(hasPromtool ? 'the scrape config passes `promtool check config`, and the queries `promtool check rules`' : promtoolMissing, async () => {
    if (!hasPromtool) throw new Error(`${promtoolMissing}; CI=true needs it (.ci/run installs it)`);
    // promtool opens the token file: the doc's path is a placeholder for one of ours.
    const tokenFile = path.join(dir, 'snek-token');
    await writeFile(tokenFile, ADMIN_TOKEN);
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(config, prometheusYml.replace(/credentials_file: \S+/, `credentials_file: ${tokenFile}`));
    expect(promtool(['check', 'config', config])).toMatchObject({ status: 0 });
    const rules = path.join(dir, 'rules.yml');
    await writeFile(rules, JSON.stringify({ groups: [{ name: 'operating-md', rules: expressions.map((expr, i) => ({ record: `snek:doc_query_${i}`, expr })) }] }));
    expect(promtool(['check', 'rules', rules])).toMatchObject({ status: 0 });
    // The check can fail: a query that does not parse.
    await writeFile(rules, JSON.stringify({ groups: [{ name: 'broken', rules: [{ record: 'snek:broken', expr: 'sum(rate(snek_http_request_duration_seconds_count[5m])' }] }] }));
    expect(promtool(['check', 'rules', rules]).status).not.toBe(0);
  });

  (BUILT_IN_STORES.postgres ? describe : describe.skip)('against a scrape of a postgres server (skipped: PostgreSQL is not reachable)', () => {
    let server: TestServer;
    let samples: ReturnType<typeof parseSamples>;
    beforeAll(async () => {
      server = await startTestServer({ snekrc: `${BUILT_IN_STORES.postgres!}  metrics: true\n` });
      await fetch(`${server.url}/v1/sneks/cute`);
      await fetch(`${server.url}/v1/sneks?limit=1`);
      // A cursor the store cannot read (a name lookup passes it to list()): its refusal is counted in
      // snek_store_errors_total, which then has samples.
      expect((await fetch(`${server.url}/v1/sneks?name=cute&cursor=not-a-cursor`)).status).toBe(400);
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      samples = parseSamples(await response.text());
    });
    afterAll(() => server.stop());

    it('every metric the queries name is in it, with every label they use', () => {
      const labelsOf = new Map<string, Set<string>>();
      for (const sample of samples) for (const label of Object.keys(sample.labels)) (labelsOf.get(sample.name) ?? labelsOf.set(sample.name, new Set()).get(sample.name)!).add(label);
      for (const sample of samples) if (!labelsOf.has(sample.name)) labelsOf.set(sample.name, new Set());
      const missing: string[] = [];
      for (const expr of expressions) {
        // Label names in matchers ({status=~...}) and in by (...) clauses; everything else that is a word is a metric.
        const matchers = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!));
        const grouped = [...expr.matchAll(/\b(?:by|on|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));
        const bare = expr.replace(/\{[^}]*\}/g, '').replace(/\b(?:by|on|without)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '');
        const metrics = [...bare.matchAll(/\b[a-zA-Z_:][\w:]*\b/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
        expect([expr, metrics.length]).not.toEqual([expr, 0]);
        for (const metric of metrics) {
          const labels = labelsOf.get(metric);
          if (!labels) missing.push(`${metric} (in ${expr})`);
          else for (const label of [...matchers, ...grouped]) if (!labels.has(label) && !ADDED_LABELS.has(label)) missing.push(`${metric} has no label ${label} (in ${expr})`);
        }
      }
      expect(missing).toEqual([]);
    });
  });
});
