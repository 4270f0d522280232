#!/usr/bin/env node
// The operator CLI's entry (package.json "bin": red-packets). Plain JavaScript so that an old Node gets
// a clear message instead of a syntax error; the commands are TypeScript, run by Node 24's type stripping.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `red-packets: needs Node 24, this is ${process.version}. Run it as \`npx red-packets\` or \`npm run cli --\` ` +
      'in the project (npm ci installs Node 24 as a dev dependency).\n',
  );
  process.exit(2);
}
const { runCli } = await import('../../lib/cli/runCli.ts');
// Ctrl-C or SIGTERM: a command that runs until something happens (packets watch) stops cleanly and
// exits by itself; any other exits 130 a second later (the timer does not keep a finished one alive).
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stop.abort();
    setTimeout(() => process.exit(130), 1000).unref();
  });
}
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
});
