// Escape sequences whole, so their parameters do not stay behind as text: CSI (ESC [ or C1 CSI), then
// OSC, DCS, SOS, PM and APC strings (ESC ] P X ^ _ or their C1 forms) up to BEL or ST, then any other ESC pair.
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?/gu;
// Every C0 and C1 control and DEL, but tab and newline, which art may hold.
const CONTROL_EXCEPT_TAB_NEWLINE = /[^\P{Cc}\t\n]/gu;
const CONTROL = /\p{Cc}/gu;
// Bidi embeddings, overrides and isolates: in a name they can make one string look like another.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/gu;

/** Art from a server, safe for a terminal: tab and newline stay, escapes and other controls go. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_EXCEPT_TAB_NEWLINE, '');
}

/** A one-line field (an id, a name, a type, a message) from a server: no control of any kind, no bidi override. */
export function terminalLine(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/[\t\n]/g, ' ').replace(CONTROL, '').replace(BIDI_CONTROL, '');
}

/** The art as stored, ending in exactly the newline it has, or one added. */
export function artLines(content: string): string {
  const safe = terminalSafe(content);
  return safe.endsWith('\n') ? safe : `${safe}\n`;
}

// JSON.stringify escapes C0 but leaves DEL, C1, bidi controls and the line separators raw.
const RAW_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

/** JSON that a terminal shows as text: the same value, with those characters written as \uXXXX. `indent` 0: one line. */
export function terminalJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
