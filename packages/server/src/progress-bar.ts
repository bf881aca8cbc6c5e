/**
 * A one-line progress bar on stderr, at most ten redraws a second; NaN clears it. `verb` labels a count without a
 * total; `detail` is written after the count (migrate: the sneks copied and the seq).
 */
export function progressBar(verb = 'read') {
  let last = 0;
  return (done: number, total?: number, detail = '') => {
    if (Number.isNaN(done)) return void process.stderr.write('\r\u001b[2K');
    if (Date.now() - last < 100) return;
    last = Date.now();
    const width = 30;
    const bar = total ? '#'.repeat(Math.round((done / total) * width)).padEnd(width, '.') : '';
    process.stderr.write(`\r\u001b[2K${total ? `[${bar}] ${done}/${total}` : `${done} ${verb}`}${detail}`);
  };
}
