'use strict';
// npm runs this as the install script of the optional dependency wt-kernels. It builds the
// addon with node-gyp (npm's bundled copy, against the headers of the running Node when they are
// installed next to it, so nothing is downloaded) and NEVER fails the install: without a C++
// toolchain, make or python3 it records why in build/install-error.txt, prints one warning and
// exits 0, and the project trains with its wasm kernels instead (ml/native.ts reads the reason).
//
//   WT_NATIVE_BUILD=0 npm ci   skip the build on purpose
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = __dirname;
const buildDir = path.join(dir, 'build');

function skip(reason, log) {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(path.join(buildDir, 'install-error.txt'), reason + '\n');
  if (log) fs.writeFileSync(path.join(buildDir, 'build.log'), log);
  console.warn(`wt-kernels: native kernels not built (${reason}); training will use the wasm kernels`);
  process.exit(0);
}

function runs(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

fs.rmSync(buildDir, { recursive: true, force: true });
if (process.env.WT_NATIVE_BUILD === '0') skip('WT_NATIVE_BUILD=0');

const env = { ...process.env };
if (!env.CXX) {
  if (runs('g++')) env.CXX = 'g++';
  else if (runs('c++')) env.CXX = 'c++';
  else if (runs('clang++')) env.CXX = 'clang++';
  else skip('no C++ compiler (g++, c++ or clang++) on PATH');
} else if (!runs(env.CXX)) skip(`the C++ compiler CXX=${env.CXX} does not run`);
if (!runs('make')) skip('make is not on PATH');
if (!runs('python3') && !runs('python')) skip('python3 (needed by node-gyp) is not on PATH');

let gyp = env.npm_config_node_gyp;
if (!gyp || !fs.existsSync(gyp)) {
  const npmDir = env.npm_execpath ? path.dirname(path.dirname(env.npm_execpath)) : path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  gyp = path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}
if (!fs.existsSync(gyp)) skip('node-gyp not found (npm normally bundles it)');

const args = [gyp, 'rebuild', '--jobs=max'];
const nodeDir = path.resolve(path.dirname(process.execPath), '..');
if (fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);

const t0 = Date.now();
const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 15 * 60 * 1000, maxBuffer: 64 << 20 });
const log = `${r.stdout || ''}${r.stderr || ''}`;
if (r.error || r.status !== 0) {
  const lastError = log.split('\n').filter((l) => /error/i.test(l)).slice(-1)[0];
  skip(`node-gyp failed${r.error ? ': ' + r.error.message : ''}${lastError ? ': ' + lastError.trim().slice(0, 200) : ''}; see ${path.join(buildDir, 'build.log')}`, log);
}
fs.writeFileSync(path.join(buildDir, 'build.log'), log);
console.log(`wt-kernels: native kernels built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
