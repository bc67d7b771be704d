/**
 * The prefix checker's lexer: reads SQL one character at a time and hands complete lexemes to the grammar
 * (grammar.ts). Its state is a small immutable value, so a decoder can try many candidate tokens from one shared
 * state. A word followed at once by `(` is a call (`count(`), by `.` a qualifier (`T1.`); the whitespace before a
 * lexeme travels with it (the CoCTE frame has a fixed layout at its step boundaries).
 */

export type Lexeme =
  | { t: 'word'; v: string; ws: string }
  | { t: 'call'; v: string; ws: string }
  | { t: 'qual'; v: string; ws: string }
  | { t: 'qid'; v: string; ws: string }
  | { t: 'num'; v: string; ws: string }
  | { t: 'str'; v: string; ws: string }
  | { t: 'op'; v: string; ws: string }
  | { t: '(' | ')' | ','; ws: string }
  | { t: 'eof'; ws: string };

/**
 * The lexeme being read: a word, number, string, quoted identifier or operator not yet ended. `strq` and `qidq`: a
 * string or quoted name that read its closing quote, which may yet be the first half of an escaped quote (`''`, `""`).
 * A quoted name's text is the name (an escaped `""` is one `"` in it).
 */
export interface Pending {
  kind: 'word' | 'num' | 'str' | 'strq' | 'qid' | 'qidq' | 'op';
  text: string;
}

export interface LexState {
  /** Whitespace read since the last lexeme. */
  ws: string;
  pending: Pending | null;
}

export const LEX_START: LexState = { ws: '', pending: null };

/** Operators of two characters, and the single characters that may begin them or stand alone. */
const OPS2 = new Set(['>=', '<=', '<>', '!=', '==', '||']);
const OPS1 = new Set(['=', '<', '>', '+', '-', '*', '/', '%', '!', '|']);
/** A single character that is an operator on its own (`!` and `|` are only halves of `!=`, `||`). */
export const OP_ALONE = new Set(['=', '<', '>', '+', '-', '*', '/', '%']);

const isWordChar = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/**
 * Reads `text` from `state`; each complete lexeme goes to `emit`, which returns false to stop (the text is invalid
 * there). Returns the state after the text, or null when the text is invalid.
 */
export function lexFeed(state: LexState, text: string, emit: (lx: Lexeme) => boolean): LexState | null {
  let ws = state.ws;
  let p: Pending | null = state.pending;
  // Hands a finished lexeme (with the whitespace before it) on; false when the text is invalid there.
  const flush = (t: 'str' | 'qid' | 'call' | 'qual' | 'word' | 'num' | 'op', v: string): boolean => {
    const ok = emit({ t, v, ws });
    ws = '';
    p = null;
    return ok;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (p) {
      switch (p.kind) {
        case 'str':
          p = c === "'" ? { kind: 'strq', text: p.text } : { kind: 'str', text: p.text + c };
          continue;
        case 'strq':
          // A quote after the closing quote is an escaped quote; anything else ends the string.
          if (c === "'") {
            p = { kind: 'str', text: `${p.text}''` };
            continue;
          }
          if (!flush('str', p.text)) return null;
          break;
        case 'qid':
          p = c === '"' ? { kind: 'qidq', text: p.text } : { kind: 'qid', text: p.text + c };
          continue;
        case 'qidq':
          // A quote after the closing quote is an escaped quote in the name; anything else ends the name.
          if (c === '"') {
            p = { kind: 'qid', text: `${p.text}"` };
            continue;
          }
          if (!flush('qid', p.text)) return null;
          break;
        case 'word':
          if (isWordChar(c)) {
            p = { kind: 'word', text: p.text + c };
            continue;
          }
          if (c === '(' || c === '.') {
            if (!flush(c === '(' ? 'call' : 'qual', p.text)) return null;
            continue;
          }
          if (!flush('word', p.text)) return null;
          break;
        case 'num':
          if (isDigit(c) || (c === '.' && !p.text.includes('.'))) {
            p = { kind: 'num', text: p.text + c };
            continue;
          }
          if (isWordChar(c) || c === '.') return null; // 200sse, 1.2.3
          if (!flush('num', p.text)) return null;
          break;
        case 'op': {
          const two = p.text + c;
          if (two === '--' || two === '/*') return null; // a comment: anything would pass after one
          if (OPS2.has(two)) {
            if (!flush('op', two)) return null;
            continue;
          }
          if (!OP_ALONE.has(p.text) || !flush('op', p.text)) return null;
          break;
        }
      }
    }
    // No lexeme pending: `c` starts one.
    if (isSpace(c)) ws += c;
    else if (isDigit(c)) p = { kind: 'num', text: c };
    else if (isWordChar(c)) p = { kind: 'word', text: c };
    else if (c === "'") p = { kind: 'str', text: '' };
    else if (c === '"') p = { kind: 'qid', text: '' };
    else if (c === '(' || c === ')' || c === ',') {
      if (!emit({ t: c, ws })) return null;
      ws = '';
    } else if (OPS1.has(c)) p = { kind: 'op', text: c };
    else return null; // ; . $ ? @ : # \ ` [ ] { } and anything beyond ASCII: never written outside quotes
  }
  return { ws, pending: p };
}

/** Ends the text: the pending lexeme (if any) is complete, then the end lexeme. */
export function lexEnd(state: LexState, emit: (lx: Lexeme) => boolean): boolean {
  const p = state.pending;
  let ws = state.ws;
  if (p) {
    if (p.kind === 'str' || p.kind === 'qid') return false;
    const lx: Lexeme =
      p.kind === 'strq'
        ? { t: 'str', v: p.text, ws }
        : p.kind === 'qidq'
          ? { t: 'qid', v: p.text, ws }
          : p.kind === 'op'
            ? { t: 'op', v: p.text, ws }
            : { t: p.kind, v: p.text, ws };
    if (p.kind === 'op' && !OP_ALONE.has(p.text)) return false;
    if (!emit(lx)) return false;
    ws = '';
  }
  return emit({ t: 'eof', ws });
}
