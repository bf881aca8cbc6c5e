// The smallest reader of GET /v1/changes/stream, for timing: each change event's data as soon as its blank line arrives.
import { request } from 'node:http';

/** Opens the stream of `base` (from now on) and calls `onChange(change)` per change; resolves once it is open. */
export function openChangeStream(base, onChange) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/changes/stream`, { headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${base}/v1/changes/stream answered ${res.statusCode}`));
      let buffer = '';
      let data = [];
      let type = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop();
        for (const line of lines) {
          if (line === '') {
            if (type === 'change' && data.length) onChange(JSON.parse(data.join('\n')));
            data = [];
            type = '';
          } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          else if (line.startsWith('event:')) type = line.slice(6).trim();
        }
      });
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
