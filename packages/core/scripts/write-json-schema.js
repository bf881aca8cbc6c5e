// Writes dist/snekrc.schema.json from the zod schema, so editors complete .snekrc with the rules the server enforces.
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { snekrcSchema } from '../dist/config-schema.js';

const schema = { ...z.toJSONSchema(snekrcSchema, { io: 'input', unrepresentable: 'any' }), title: 'Snek configuration (.snekrc)' };
await writeFile(new URL('../dist/snekrc.schema.json', import.meta.url), JSON.stringify(schema, null, 2) + '\n');
