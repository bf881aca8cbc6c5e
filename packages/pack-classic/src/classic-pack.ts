import { definePack } from '@snek/core';

/** The ids of the classic sneks; each one's name and type are its id too, as in the prototype. */
export const CLASSIC_SNEK_IDS = ['normal', 'fancy', 'cute'] as const;

/** `server.packs: [classic]`, the default: the art lives in sneks/, shipped byte for byte from the Python prototype. */
export default definePack({
  apiVersion: 1,
  name: 'classic',
  sneks: CLASSIC_SNEK_IDS.map((id) => ({ id, name: id, type: id, file: `sneks/${id}.txt` })),
});
