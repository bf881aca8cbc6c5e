import { describeStoreConformance } from '@snek/store-testkit';
import plugin from '../src/index.js';

// The reference: the kit is checked against the simplest store first.
await describeStoreConformance('memory', { create: (context) => plugin.create(undefined, { configDir: process.cwd(), ...context }) });
