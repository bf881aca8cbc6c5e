#!/usr/bin/env node
// A committed shim, so package managers can link the bin before dist/ is built.
import { main } from '../dist/main.js';

await main();
