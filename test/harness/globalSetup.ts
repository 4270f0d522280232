/** Refuses to run the suite on another Node than the project's (see infra/node-guard.mjs). */
export default function setup(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) {
    throw new Error(
      `tests run on Node 24 (the "node" devDependency); this is ${process.version}. Use npm test.`,
    );
  }
}
