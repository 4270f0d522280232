// Fails fast when an npm script runs on a Node other than the project's (the `node` devDependency).
// npm puts node_modules/.bin first on PATH, so `npm run`/`npm test` pick Node 24 from there; a global
// `node` on another major means the scripts were started some other way (or `npm ci` was skipped).
const required = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major !== required) {
  console.error(
    `error: this project runs on Node ${required} (the "node" devDependency), but this is Node ${process.versions.node}.\n` +
      '  Run `npm ci` first, then use `npm run <script>` / `npm test` so node_modules/.bin/node is used.',
  );
  process.exit(1);
}
