#!/usr/bin/env node
// The bundled CLI: one CommonJS file, so `snek` starts almost as fast as Node itself (an ES module entry
// costs about 3 ms more to load).
require('../dist/bundle/bin.cjs');
