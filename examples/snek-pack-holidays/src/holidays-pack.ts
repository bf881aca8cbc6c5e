import { definePack } from '@snek/core';

/** `server.packs: [holidays]`: art in files under sneks/ (shipped by "files" in package.json), or inline. */
export default definePack({
  apiVersion: 1,
  name: 'holidays',
  sneks: [
    { id: 'winter-snek', name: 'Winter Snek', type: 'holiday', file: 'sneks/winter-snek.txt' },
    { id: 'party-snek', name: 'Party Snek', type: 'holiday', file: 'sneks/party-snek.txt' },
    { id: 'tiny-pumpkin-snek', name: 'Tiny Pumpkin Snek', type: 'holiday', content: '~~~~(o)<\n' },
  ],
});
