/**
 * The prefix-viability checker for the CoCTE chains the policy writes (PICARD-style incremental parsing): given the
 * text so far and the open schema, whether it can still become a complete, valid chain: the grammar of grammar.ts,
 * names resolved as scope.ts says, functions with their arities, aggregates only where SQLite allows them.
 *
 * Incremental: the parser state after a text is kept (a small LRU keyed by text), and a candidate token costs the
 * lexemes it adds. A word still being written is viable when some word that may stand there begins with it (checked
 * against the words the schema, the chain and SQL offer, memoized per position).
 */
import type { TokenRule } from '../tokenRules';
import type { SchemaInfo } from '../types';
import { catalogOf, foldName, FUNCTIONS, IDENT, RESERVED, TYPE_NAMES } from './catalog';
import { CHAIN_START, type Ctx, type Stack } from './frames';
import { feed, whitespaceOk } from './grammar';
import { LEX_START, lexEnd, lexFeed, OP_ALONE, type LexState, type Lexeme, type Pending } from './lexer';
import { chainOf } from './scope';
import { closeStep } from './closer';
import { stepEnds } from '../decode';

export interface PrefixState {
  stack: Stack;
  lex: LexState;
}

const START: PrefixState = { stack: [CHAIN_START], lex: LEX_START };
/** Table aliases a select list may use before FROM defines them (see scope.ts plausibleQualifier). */
const ALIAS_WORDS = [...'abcdefghijklmnopqrstuvwxyz'].flatMap((l) => [l, ...Array.from({ length: 9 }, (_, i) => `${l}${i + 1}`)]).filter((w) => /^[a-z]$|^[st]\d$/.test(w));
const CALLS = [...FUNCTIONS.keys(), 'cast', 'exists', 'in'];
const TWO_CHAR_OPS = ['>=', '<=', '<>', '!=', '==', '||'];
/** Candidate texts a close may try before it gives up (and cuts the chain back to its last finished step). */
const CLOSE_BUDGET = Number(process.env.CB ?? 400);

export class PrefixChecker {
  private readonly ctx: Ctx;
  /** Words of SQL and the schema that may begin a lexeme (lower case). */
  private readonly baseWords: string[];
  private readonly states = new Map<string, PrefixState | null>();
  /** Per position (text before a word, and its whitespace): which complete words may stand there. */
  private readonly wordMemo = new Map<string, Map<string, boolean>>();

  constructor(schema: SchemaInfo) {
    this.ctx = { catalog: catalogOf(schema) };
    const words = new Set<string>([...RESERVED, ...CALLS, ...TYPE_NAMES, ...this.ctx.catalog.tables.keys(), ...this.ctx.catalog.columns, ...ALIAS_WORDS]);
    this.baseWords = [...words];
  }

  /** The parser state after `text`, or null when `text` is no viable prefix already. */
  stateAt(text: string): PrefixState | null {
    const hit = this.states.get(text);
    if (hit !== undefined) return hit;
    // Continue from the longest remembered prefix (the decoder's text grows a token at a time).
    let from = START;
    let fromLen = 0;
    for (const [t, s] of this.states) if (s && t.length > fromLen && text.startsWith(t)) [from, fromLen] = [s, t.length];
    const s = this.advance(from, text.slice(fromLen));
    this.remember(text, s);
    return s;
  }

  /** Whether `text + tokenText` is still a viable prefix; tokenText '' is the end token (the chain must be complete). */
  admits(text: string, tokenText: string): boolean {
    const s = this.stateAt(text);
    if (!s) return false;
    if (tokenText === '') return this.ends(s);
    const next = this.advance(s, tokenText);
    return next !== null && this.pendingOk(next, text + tokenText);
  }

  /** Whether `text` is a complete, valid chain. */
  complete(text: string): boolean {
    const s = this.stateAt(text);
    return s !== null && this.ends(s);
  }

  /** Whether `text` is a viable prefix (the word it ends with can still be completed). */
  viable(text: string): boolean {
    const s = this.stateAt(text);
    return s !== null && this.pendingOk(s, text);
  }

  /**
   * The lexemes `tokenText` completes after `text` (the one the text had begun included), and the one it leaves open;
   * null when `text` is no viable prefix. For rules that judge literals and numbers as SQL reads them.
   */
  lexemes(text: string, tokenText: string): { done: Lexeme[]; pending: Pending | null } | null {
    // The literal and the number rule both ask, for the same candidates after the same text: read each token once.
    if (this.lexemesAt.text !== text) this.lexemesAt = { text, byToken: new Map() };
    const hit = this.lexemesAt.byToken.get(tokenText);
    if (hit !== undefined) return hit;
    const r = this.readLexemes(text, tokenText);
    this.lexemesAt.byToken.set(tokenText, r);
    return r;
  }

  private lexemesAt: { text: string; byToken: Map<string, { done: Lexeme[]; pending: Pending | null } | null> } = { text: '', byToken: new Map() };

  private readLexemes(text: string, tokenText: string): { done: Lexeme[]; pending: Pending | null } | null {
    const s = this.stateAt(text);
    if (!s) return null;
    const done: Lexeme[] = [];
    const collect = (lx: Lexeme) => (done.push(lx), true);
    if (tokenText === '') return lexEnd(s.lex, collect) ? { done, pending: null } : null;
    const lex = lexFeed(s.lex, tokenText, collect);
    return lex ? { done, pending: lex.pending } : null;
  }

  /** The finished CTEs of a viable prefix (name → columns), for the closing of a cut chain. */
  ctes(text: string): ReadonlyMap<string, readonly string[]> | null {
    const s = this.stateAt(text);
    return s ? chainOf(s.stack).ctes : null;
  }

  /**
   * The shortest valid close of a viable prefix (closer.ts): the whole closed chain, which may be cut back to its last
   * finished step; null when there is none (a prefix with no finished step whose final SELECT cannot end).
   */
  closing(text: string): string | null {
    // A line break being written is dropped first: what follows it is the close's choice.
    const trimmed = /\n\s*$/.test(text) ? text.replace(/\s+$/, '') : text;
    if (!this.viable(trimmed)) return this.cut(text);
    return this.closeFrom(trimmed, { left: CLOSE_BUDGET }) ?? this.cut(text);
  }

  /** A depth-first search for a close: the candidates of closeStep (closer.ts), shortest first, within a budget. */
  private closeFrom(t: string, budget: { left: number }): string | null {
    if (this.complete(t)) return t;
    for (const next of this.closeCandidates(t)) {
      if (budget.left-- <= 0) return null;
      if (!this.viable(next)) continue;
      const done = this.closeFrom(next, budget);
      if (done !== null) return done;
    }
    return null;
  }

  /**
   * The texts one step closer to a complete chain: the lexeme being written ended (a word also completed into a
   * longer one, a call or a qualifier), then the next closing piece.
   */
  private closeCandidates(t: string): string[] {
    const s = this.stateAt(t)!;
    const p = s.lex.pending;
    if (p?.kind === 'str') return [`${t}'`];
    if (p?.kind === 'qid') {
      // The name as written (a new name: an alias), or completed into one the chain knows (a character still being
      // written is dropped and the name written out).
      const { prefix, begins } = quotedPrefix(p.text);
      const base = t.slice(0, t.length - (p.text.length - p.text.replace(PARTIAL_END, '').length));
      const known = this.vocabulary(s.stack).filter(begins);
      return [`${t}"`, ...known.map((w) => `${base}${w.slice(prefix.length).replace(/"/g, '""')}"`)];
    }
    const out: string[] = [];
    if (p?.kind === 'word') {
      const prefix = p.text.toLowerCase();
      const words = this.vocabulary(s.stack).filter((w) => w.startsWith(prefix) && IDENT.test(w)).sort((a, b) => a.length - b.length);
      for (const w of words) {
        const rest = w.slice(prefix.length);
        if (rest) out.push(t + rest);
        out.push(`${t}${rest}.`);
        if (CALLS.includes(w)) out.push(`${t}${rest}(`);
      }
    }
    // The lexeme being written, ended: a piece on a new line (or a bracket or comma) follows it directly.
    const ended = p ? this.stateAt(`${t} `) : s;
    if (!ended) return out;
    const pieces = closeStep(this.ctx, ended.stack, null, p ? ' ' : (t.at(-1) ?? ''));
    return [...pieces.map((piece) => t + (p && !/^[\n),]/.test(piece) ? ` ${piece}` : piece)), ...out];
  }

  /** The chain cut back to its last finished step that closes, with `SELECT * FROM` that step as its final query. */
  private cut(text: string): string | null {
    const ends = stepEnds(`${text}\n`);
    for (let k = ends.length - 1; k >= 0; k--) {
      const base = text.slice(0, ends[k]).replace(/,?\n$/, '');
      const last = [...(this.ctes(base) ?? new Map()).keys()].at(-1);
      const closed = `${base}\nSELECT * FROM ${last}`;
      if (last && this.complete(closed)) return closed;
    }
    return null;
  }

  private ends(s: PrefixState): boolean {
    let stack: Stack | null = s.stack;
    return lexEnd(s.lex, (lx) => (stack = stack && feed(this.ctx, stack, lx)) !== null);
  }

  private advance(s: PrefixState, text: string): PrefixState | null {
    let stack: Stack | null = s.stack;
    const lex = lexFeed(s.lex, text, (lx) => (stack = feed(this.ctx, stack!, lx)) !== null);
    return lex && stack ? { stack, lex } : null;
  }

  private remember(text: string, s: PrefixState | null): void {
    if (this.states.size >= 64) this.states.delete(this.states.keys().next().value!);
    this.states.set(text, s);
  }

  /** Whether the lexeme still being written at the end of `text` (state `s`) can be completed. */
  private pendingOk(s: PrefixState, text: string): boolean {
    const { stack } = s;
    const { ws, pending: p } = s.lex;
    const try1 = (lx: Lexeme) => feed(this.ctx, stack, lx) !== null;
    if (!p) return whitespaceOk(stack, ws, try1);
    switch (p.kind) {
      case 'num':
        return try1({ t: 'num', v: p.text, ws });
      case 'str':
      case 'strq':
        return try1({ t: 'str', v: '', ws });
      case 'op':
        return (OP_ALONE.has(p.text) && try1({ t: 'op', v: p.text, ws })) || TWO_CHAR_OPS.some((o) => o.startsWith(p.text) && try1({ t: 'op', v: o, ws }));
      case 'qid': {
        // A new name may stand here (an alias: any name), or a known one begins so.
        const { prefix, begins } = quotedPrefix(p.text);
        return try1({ t: 'qid', v: `${prefix}zq`, ws }) || this.vocabulary(stack).some((w) => begins(w) && try1({ t: 'qid', v: w, ws }));
      }
      case 'qidq': {
        // The name as it stands, or a longer one whose next character is the quote being escaped.
        const name = foldName(p.text);
        return try1({ t: 'qid', v: name, ws }) || this.vocabulary(stack).some((w) => w.startsWith(`${name}"`) && try1({ t: 'qid', v: w, ws }));
      }
      case 'word':
        return this.wordViable(stack, ws, p.text.toLowerCase(), text.slice(0, text.length - p.text.length));
    }
  }

  /** Whether some word that may stand after `before` begins with `prefix` (memoized per position and word). */
  private wordViable(stack: Stack, ws: string, prefix: string, before: string): boolean {
    let memo = this.wordMemo.get(before);
    if (!memo) {
      if (this.wordMemo.size >= 256) this.wordMemo.delete(this.wordMemo.keys().next().value!);
      memo = new Map();
      this.wordMemo.set(before, memo);
    }
    const fits = (w: string) => {
      let ok = memo.get(w);
      if (ok === undefined) {
        ok =
          feed(this.ctx, stack, { t: 'word', v: w, ws }) !== null ||
          (CALLS.includes(w) && feed(this.ctx, stack, { t: 'call', v: w, ws }) !== null) ||
          feed(this.ctx, stack, { t: 'qual', v: w, ws }) !== null;
        memo.set(w, ok);
      }
      return ok;
    };
    // A name the chain makes up (a CTE, an alias, an output name) may be any new word; a table alias is a letter and
    // one or two digits (T1, t12).
    if (fits(`${prefix}zq`)) return true;
    if (/^[a-z][0-9]{0,2}$/.test(prefix)) {
      if (prefix.length > 1 && fits(prefix)) return true;
      if (prefix.length < 3 && [...'0123456789'].some((d) => fits(prefix + d))) return true;
    }
    for (const w of this.vocabulary(stack)) if (w.startsWith(prefix) && IDENT.test(w) && fits(w)) return true;
    return false;
  }

  /** The words that may begin a lexeme here: SQL's and the schema's, the chain's CTEs, their columns, aliases. */
  private vocabulary(stack: Stack): string[] {
    const extra: string[] = [];
    const chain = chainOf(stack);
    for (const [name, cols] of chain.ctes) extra.push(name, ...cols);
    for (const f of stack) if (f.k === 'core') for (const s of f.srcs) extra.push(s.qual);
    for (const f of stack) if (f.k === 'core') for (const r of f.deferred) if (r.q) extra.push(r.q);
    for (const f of stack) if (f.k === 'core') for (const it of f.items) if ('name' in it && it.name) extra.push(it.name);
    return extra.length ? [...extra, ...this.baseWords] : this.baseWords;
  }
}

/**
 * The end of a text whose last character is still being written: a byte-level tokenizer writes a character outside
 * ASCII (`😀`, `名`) as several tokens, and the text decoded before the last of them ends in U+FFFD.
 */
export const PARTIAL_END = /\uFFFD+$/;

/**
 * The known names a quoted name being written may become: those that begin with it (folded), and, when it ends in a
 * character still being written (PARTIAL_END), continue there with a character outside ASCII.
 */
function quotedPrefix(text: string): { prefix: string; begins: (w: string) => boolean } {
  const partial = PARTIAL_END.test(text);
  const prefix = foldName(text.replace(PARTIAL_END, ''));
  return { prefix, begins: (w) => w.startsWith(prefix) && (!partial || (w.charCodeAt(prefix.length) || 0) > 0x7f) };
}

/** The prefix checker as a hard token rule (tokenRules.ts): a token must keep the chain a viable prefix. */
export function prefixRule(checker: PrefixChecker): TokenRule {
  return { test: (text) => (tokenText) => checker.admits(text, tokenText) };
}
