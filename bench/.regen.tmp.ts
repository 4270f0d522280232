import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { batchChart, claimsChart, crashChart, lockCharts, pipelineChart } from './charts.ts';
import { benchReadme, summarySection } from './readmeContent.ts';
import { updateMarkedSection } from './readmeSections.ts';
import { evaluateTargets } from './targets.ts';

const stamp = process.argv[2] as string;
const file = `bench/results/${stamp}.json`;
const results = JSON.parse(readFileSync(file, 'utf8'));
for (const c of results.claims) if (String(c.scenario).includes('(zookeeper)')) c.backend = 'zookeeper';
results.targets = evaluateTargets({
  lock: results.lock,
  crash: results.crash,
  claims: results.claims,
  batch: results.batch,
  wallSec: results.wallSec,
});
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
const charts = [
  ...lockCharts(results.lock),
  crashChart(results.crash),
  claimsChart(results.claims),
  pipelineChart(results.pipeline),
  batchChart(results.batch),
];
const content = { stamp, results, charts };
updateMarkedSection('bench/README.md', 'bench:results', benchReadme(content as never));
updateMarkedSection('README.md', 'bench:summary', summarySection(content as never));
spawnSync('node_modules/.bin/biome', ['format', '--write', 'README.md', 'bench/README.md'], {
  stdio: 'ignore',
});
