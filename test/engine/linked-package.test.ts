// A package linked from inside the project (wt-kernels: "file:native/wt-kernels") is pinned by
// the digest of its files, so editing its C++ changes every fingerprint that uses it; its
// version number, which never changes, is not what pins it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { filesOfLinkedPackage } from '../../engine/linked-package.ts';
import { PackageVersions } from '../../engine/package-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'wt-linked-'));
after(() => rmSync(root, { recursive: true, force: true }));

function project(kernelSource: string): PackageVersions {
  mkdirSync(join(root, 'native', 'k', 'src'), { recursive: true });
  mkdirSync(join(root, 'native', 'k', 'build'), { recursive: true });
  writeFileSync(join(root, 'native', 'k', 'package.json'), JSON.stringify({ name: 'k', version: '0.1.0', files: ['src/', 'index.js'] }));
  writeFileSync(join(root, 'native', 'k', 'index.js'), 'module.exports = {};');
  writeFileSync(join(root, 'native', 'k', 'src', 'kernel.cc'), kernelSource);
  writeFileSync(join(root, 'native', 'k', 'build', 'k.node'), String(Math.random())); // build output: not the package's code
  writeFileSync(
    join(root, 'package-lock.json'),
    JSON.stringify({
      packages: { '': {}, 'native/k': { version: '0.1.0' }, 'node_modules/k': { resolved: 'native/k', link: true } },
    }),
  );
  return new PackageVersions(join(root, 'package-lock.json'));
}

test('a linked package is pinned by its files, not its version', () => {
  const before = project('int f() { return 1; }').closure('k').k!;
  assert.match(before, /^local:[0-9a-f]{64}$/);
  assert.equal(project('int f() { return 1; }').closure('k').k, before, 'the same files give the same pin (build output ignored)');
  assert.notEqual(project('int f() { return 2; }').closure('k').k, before, 'an edit to its C++ changes the pin');
});

test('the files are those package.json lists, without build output or symlinks', () => {
  project('x');
  symlinkSync('/etc/passwd', join(root, 'native', 'k', 'src', 'outside'));
  assert.deepEqual(filesOfLinkedPackage(join(root, 'native', 'k')), ['index.js', 'package.json', 'src/kernel.cc']);
});
