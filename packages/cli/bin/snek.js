#!/usr/bin/env node
// The bundled CLI: one file, so `snek` starts almost as fast as Node itself.
import '../dist/bundle/bin.mjs';
