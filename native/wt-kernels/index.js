'use strict';
// Loader of the wt-kernels addon. load() never throws: it returns { addon } or { addon: null,
// reason } (not built — with the reason install.js recorded — or failing to load).
const fs = require('fs');
const path = require('path');

const addonPath = path.join(__dirname, 'build', 'Release', 'wt_kernels.node');

function load(file = addonPath) {
  if (!fs.existsSync(file)) {
    const rel = path.relative(process.cwd(), file);
    let reason = `not built (${rel && !rel.startsWith('..') ? rel : file} is missing)`;
    try {
      const why = fs.readFileSync(path.join(path.dirname(path.dirname(file)), 'install-error.txt'), 'utf8').trim();
      if (why) reason = `not built at install: ${why}`;
    } catch {
      // no record: never built, or the build directory was removed
    }
    return { addon: null, reason };
  }
  try {
    return { addon: require(file), reason: null };
  } catch (e) {
    const message = String((e && e.message) || e).split('\n')[0];
    return { addon: null, reason: `cannot load ${path.basename(file)}: ${message}` };
  }
}

module.exports = { addonPath, load };
