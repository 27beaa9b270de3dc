/**
 * How the records view shows a key, value or header value: as text (UTF-8), as JSON (pretty-printed), or as hex
 * (16 bytes a line, with offsets). `auto` picks JSON when the bytes parse as JSON, text when they are valid UTF-8
 * without control characters other than whitespace, and hex otherwise. Pure and free of Node APIs (atob and
 * TextDecoder exist in browsers and in Node), so the browser bundle and the unit specs share it.
 */

export type DecodeMode = 'auto' | 'text' | 'json' | 'hex';

export interface Decoded {
  /** The mode actually used (auto resolves to one of the others). */
  mode: Exclude<DecodeMode, 'auto'>;
  text: string;
  /** Why the asked mode could not be used (the text is then hex). */
  problem: string | null;
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `00000000  7b 22 61 22 3a 31 7d                              {"a":1}` lines, 16 bytes each. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Text a person can read: no control characters but tab, newline and carriage return. */
function readable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

export function decodePayload(bytes: Uint8Array, mode: DecodeMode): Decoded {
  const text = utf8(bytes);
  const hex = (problem: string | null): Decoded => ({ mode: 'hex', text: hexDump(bytes), problem });
  switch (mode) {
    case 'hex':
      return hex(null);
    case 'text':
      return text === null ? hex('Not valid UTF-8; shown as hex.') : { mode: 'text', text, problem: null };
    case 'json': {
      if (text === null) return hex('Not valid UTF-8, so not JSON; shown as hex.');
      try {
        return { mode: 'json', text: JSON.stringify(JSON.parse(text), null, 2), problem: null };
      } catch (e) {
        return { mode: 'text', text, problem: `Not JSON (${(e as Error).message}); shown as text.` };
      }
    }
    case 'auto': {
      if (text === null || !readable(text)) return hex(null);
      const trimmed = text.trim();
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
          return { mode: 'json', text: JSON.stringify(JSON.parse(text), null, 2), problem: null };
        } catch {
          // Looks like JSON but is not: show it as the text it is.
        }
      }
      return { mode: 'text', text, problem: null };
    }
  }
}
