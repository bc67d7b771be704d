/**
 * Constrained decoding: the names the model writes must exist and fit where they stand. Outside string literals,
 * every word it completes must be an SQL keyword or function, a table or column of the open schema, a CTE or alias it
 * defined itself (s1, T1, …) or a derived alias (count_all, avg_age, singer_name, …), and must fit its slot (after
 * FROM a table or finished CTE, after `T1.` a column of T1's table, …); a word still being written must be the
 * prefix of such a word. The most likely tokens are checked first (top K); the rest are masked.
 */
import { endsInsideQuotes, lex, type Token } from './sqlLexer';
import type { SyntaxGate, WordSet } from './syntaxGate';
import type { SchemaInfo } from './types';

const KEYWORDS =
  'select from where and or not in is null like glob between exists group by having order asc desc limit offset join inner left right full ' +
  'outer cross natural on using as distinct all union intersect except with recursive case when then else end cast collate escape values ' +
  'count sum avg min max total group_concat abs round length lower upper substr instr replace trim ltrim rtrim coalesce ifnull nullif ' +
  'strftime date time datetime julianday typeof true false';

/**
 * Functions: written as a bare word they would be read as a column (`SELECT upper FROM pets` fails), so unless the
 * schema has a column of that name one must be followed by `(`. Type names (`CAST(x AS real)`) are not keywords
 * here: they only follow AS, where any new word may stand.
 */
const FUNCTIONS = new Set(
  'count sum avg min max total group_concat abs round length lower upper substr instr replace trim ltrim rtrim coalesce ifnull nullif strftime date time datetime julianday typeof cast'.split(' '),
);

const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'total', 'group_concat'];

/**
 * What may stand where a word starts: a table (after FROM/JOIN), a column of one table (after `alias.`), a new name
 * (after AS: the model names its own output column or alias), or any known word.
 */
type Slot = { kind: 'table' } | { kind: 'columns'; of: Set<string> } | { kind: 'name' } | { kind: 'new' } | { kind: 'expr' } | { kind: 'any' };

/** Keywords that cannot begin an operand: after WHERE, AND, SELECT, `(`, `,`, `=`, … they are a syntax error. */
const NOT_AN_OPERAND = new Set(
  ('from where and or like glob between is in limit offset group by having order asc desc join inner left right full outer ' +
    'cross natural on using as union intersect except then else end collate escape values').split(' '),
);

/** What the chain written so far defines: the CTE names it may read from and the current step's table aliases. */
interface Scope {
  ctes: Set<string>;
  aliases: Map<string, string | null>; // alias (lower case) -> schema table (lower case), or null for a CTE
}

export class IdentifierConstraint {
  /** What a partial word may become, for the syntax gate. */
  private readonly words: WordSet = { keywords: KEYWORDS.split(' '), beginsName: (w) => this.allowedPrefix(w, NAME) || /^[st]\d{0,2}$/i.test(w) };
  /** Schema names (tables, columns, derived aliases such as count_all or singer_name), lower case. */
  private readonly names = new Set<string>();
  /** Prefixes of the segments of table and column names as the schema spells them (see `spelled`). */
  private readonly segmentPrefixes = new Set<string>();
  /** Names that are tables only (no column is spelled the same): valid outside FROM only as a qualifier (`t.`). */
  private readonly tableOnly = new Set<string>();
  private readonly namePrefixes = new Set<string>();
  /** SQL keywords and functions, lower case; see oneCase for how they may be written. */
  private readonly keywords = new Set<string>();
  private readonly keywordPrefixes = new Set<string>();
  /** Prefixes of the keywords that can begin an operand (not in NOT_AN_OPERAND). */
  private readonly operandKeywordPrefixes = new Set<string>();
  private readonly tables = new Map<string, Set<string>>(); // table -> its columns, lower case
  private readonly tablePrefixes = new Set<string>();

  /**
   * `syntax` (optional) also requires every token to keep the chain a viable SQL prefix (syntaxGate.ts); it parses,
   * so it judges only the `syntaxK` most likely tokens that pass the name checks.
   */
  constructor(
    schema: SchemaInfo,
    private readonly tokenTexts: string[],
    private readonly topK = 40,
    private readonly syntax: SyntaxGate | null = null,
    private readonly syntaxK = 8,
  ) {
    const addTo = (exact: Set<string>, prefixes: Set<string>, w: string) => {
      exact.add(w.toLowerCase());
      addPrefixes(prefixes, w.toLowerCase());
    };
    const name = (w: string) => addTo(this.names, this.namePrefixes, w);
    for (const k of KEYWORDS.split(' ')) {
      addTo(this.keywords, this.keywordPrefixes, k);
      if (!NOT_AN_OPERAND.has(k)) addPrefixes(this.operandKeywordPrefixes, k);
    }
    // The '_'-separated segments of table and column names as the schema writes them (also with the first letter's
    // case flipped: Spider's gold writes petType for PetType), for the case check of `misspelled`.
    const spelled = (w: string) => {
      for (const seg of w.split('_')) {
        if (!seg) continue;
        const flip = seg[0] === seg[0]!.toUpperCase() ? seg[0]!.toLowerCase() : seg[0]!.toUpperCase();
        addPrefixes(this.segmentPrefixes, seg);
        addPrefixes(this.segmentPrefixes, flip + seg.slice(1));
      }
    };
    for (const t of schema.tables) {
      name(t.name);
      spelled(t.name);
      addPrefixes(this.tablePrefixes, t.name.toLowerCase());
      this.tables.set(t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase())));
      for (const c of t.columns) {
        name(c.name);
        spelled(c.name);
        name(`${t.name}_${c.name}`);
        for (const a of AGGS) {
          name(`${a}_${c.name}`);
          name(`${a}_distinct_${c.name}`);
        }
      }
    }
    for (const a of AGGS) name(`${a}_all`);
    const columns = new Set(schema.tables.flatMap((t) => t.columns.map((c) => c.name.toLowerCase())));
    for (const t of this.tables.keys()) if (!columns.has(t)) this.tableOnly.add(t);
  }

  /**
   * A name written in a case the schema never uses (fliGHTS for flights) is not the name: every '_'-separated segment
   * must be lower, upper or capitalized, or spelled as some schema name's segment. Also for a word being written.
   */
  private misspelled(word: string): boolean {
    return word.split('_').some((seg) => seg !== '' && !oneCase(seg) && !this.segmentPrefixes.has(seg));
  }

  /**
   * Whether a whole word may appear where `slot` says (by default: anywhere); `next` is the character that ends it
   * ('' at the end of the text).
   */
  allowedWord(word: string, slot: Slot = ANY, scope: Scope = EMPTY_SCOPE, next = ' '): boolean {
    const w = word.toLowerCase();
    if (slot.kind === 'new') return /^[a-z_]/.test(w) && w.length <= MAX_NEW_NAME;
    if (slot.kind === 'table') return (this.tables.has(w) && !this.misspelled(word)) || scope.ctes.has(w);
    if (slot.kind === 'columns') return slot.of.has(w) && !this.misspelled(word);
    if (slot.kind === 'name') return this.isName(word);
    if (/^[0-9]/.test(w) || /^[st]\d{1,2}$/.test(w)) return true;
    if (this.keywords.has(w) && oneCase(word) && !(slot.kind === 'expr' && NOT_AN_OPERAND.has(w)) && (next === '(' || !FUNCTIONS.has(w) || this.names.has(w)))
      return true;
    if (this.names.has(w)) return !this.misspelled(word) && (!this.tableOnly.has(w) || next === '.');
    return this.isName(word);
  }

  /** A column or derived name (not a table-only name), or a numbered variant of one: name_2, count_all_3. */
  private isName(word: string): boolean {
    const w = word.toLowerCase();
    if (this.names.has(w)) return !this.misspelled(word) && !this.tableOnly.has(w);
    const base = /^(.*)_\d{1,2}$/.exec(w)?.[1];
    return base !== undefined && this.names.has(base);
  }

  /** Whether a word being written can still become an allowed word. */
  allowedPrefix(word: string, slot: Slot = ANY, scope: Scope = EMPTY_SCOPE): boolean {
    const w = word.toLowerCase();
    if (slot.kind === 'new') return /^[a-z_]/.test(w) && w.length <= MAX_NEW_NAME;
    if (slot.kind === 'table') return (this.tablePrefixes.has(w) && !this.misspelled(word)) || [...scope.ctes].some((c) => c.startsWith(w));
    if (slot.kind === 'columns') return [...slot.of].some((c) => c.startsWith(w)) && !this.misspelled(word);
    const numbered = /^(.*)_\d{0,2}$/.exec(w);
    const namePrefix = (this.namePrefixes.has(w) && !this.misspelled(word)) || (!!numbered && this.names.has(numbered[1]!));
    if (slot.kind === 'name' || namePrefix) return namePrefix;
    if (/^[0-9]/.test(w) || /^[st]\d{0,2}$/.test(w)) return true;
    return (slot.kind === 'expr' ? this.operandKeywordPrefixes : this.keywordPrefixes).has(w) && oneCase(word);
  }

  /** Masks the logits of tokens that would write an unknown name (keeps the top-K tokens that pass). */
  apply(text: string, logits: Float32Array): void {
    const toks = lex(text);
    if (endsInsideQuotes(toks)) return;
    const partial = /[A-Za-z0-9_]*$/.exec(text)![0];
    const scope = scopeOf(toks);
    const before = text.slice(0, text.length - partial.length);
    const slot = this.slotAfter(before, scope); // where the word being written (or the next one) stands
    const ok = (id: number) => this.tokenOk(before, partial, slot, this.tokenTexts[id] ?? '', scope);
    let all: number[] | null = null; // every token that passes, most likely first (a full scan: computed at most once)
    const everyOk = () => (all ??= [...logits.keys()].filter(ok).sort((a, b) => logits[b]! - logits[a]!));
    let keep = topIndices(logits, this.topK).filter(ok);
    // Nothing likely passes: fall back to every token that does (a full scan, rarely needed).
    if (keep.length === 0) keep = everyOk();
    if (keep.length === 0) return;
    if (this.syntax) {
      const gate = this.syntax;
      const viable = (ids: number[]) => {
        const out: number[] = [];
        for (const id of ids) {
          if (gate.allows(text, this.tokenTexts[id] ?? '', this.words)) out.push(id);
          if (out.length >= this.syntaxK) break;
        }
        return out;
      };
      let v = viable(keep);
      // No likely token parses: look further down (bounded), since a syntax dead end cannot be written out of.
      if (v.length === 0) v = viable(everyOk().slice(0, 256));
      if (v.length > 0) keep = v; // never stuck: when nothing parses, the name checks alone decide
    }
    const kept = new Set(keep);
    for (let i = 0; i < logits.length; i++) if (!kept.has(i)) logits[i] = -Infinity;
  }

  /**
   * Replays a token sequence as if the model wrote it: the index of the first token the constraint would mask
   * (with that token ranked first), or -1 when the whole text is admitted. Used to check that no correct answer is blocked.
   */
  firstBlocked(ids: number[]): number {
    let text = '';
    for (let i = 0; i < ids.length; i++) {
      const logits = new Float32Array(this.tokenTexts.length);
      logits[ids[i]!] = 1;
      this.apply(text, logits);
      if (logits[ids[i]!] === -Infinity) return i;
      text += this.tokenTexts[ids[i]!] ?? '';
    }
    return -1;
  }

  /** The slot of a word that starts right after `before`. */
  private slotAfter(before: string, scope: Scope): Slot {
    const tail = before.slice(-80);
    const dotted = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(tail);
    if (dotted) {
      const q = dotted[1]!.toLowerCase();
      const table = this.tables.has(q) ? q : scope.aliases.get(q);
      const cols = table ? this.tables.get(table) : undefined;
      return cols ? { kind: 'columns', of: cols } : { kind: 'name' }; // a CTE's or a not-yet-defined alias's columns: a name, no keyword
    }
    if (/\b(from|join)\s+$/i.test(tail)) return { kind: 'table' };
    if (/\bas\s+$/i.test(tail)) return { kind: 'new' };
    if (/,\s*$/.test(tail) && /\bfrom\b/i.test(lastClause(before))) return { kind: 'table' }; // FROM a, b
    return /(\b(select|distinct|where|and|or|on|having|by|when|then|else)|[(,=<>])\s*$/i.test(tail) ? { kind: 'expr' } : ANY;
  }

  private tokenOk(before: string, partial: string, firstSlot: Slot, tokenText: string, scope: Scope): boolean {
    let slot = firstSlot;
    // The end token (empty text) ends the word being written: only a complete name may end there.
    if (tokenText === '') return partial === '' || this.allowedWord(partial, slot, scope, '');
    let word = partial;
    let quoted: string | null = null;
    for (let i = 0; i < tokenText.length; i++) {
      const ch = tokenText[i]!;
      if (quoted) {
        if (ch === quoted) quoted = null;
        continue;
      }
      if (/[A-Za-z0-9_]/.test(ch)) {
        if (word === '' && i > 0) slot = this.slotAfter(before + partial + tokenText.slice(0, i), scope);
        word += ch;
        continue;
      }
      if (word && !this.allowedWord(word, slot, scope, ch)) return false;
      if (PARAMETER_OR_ODD.test(ch)) return false;
      word = '';
      if (ch === "'" || ch === '"') quoted = ch;
    }
    return word === '' || this.allowedPrefix(word, slot, scope);
  }
}

const ANY: Slot = { kind: 'any' };
const NAME: Slot = { kind: 'name' };
/** A name the model makes up (after AS) is at most this long: beyond it a small model is looping, not naming. */
const MAX_NEW_NAME = 48;
/** Outside quotes these start bind parameters ($x, :x, @x, ?) or are not SQL at all: never written. */
const PARAMETER_OR_ODD = /[$?@:#\\`{}[\]]/;
const EMPTY_SCOPE: Scope = { ctes: new Set(), aliases: new Map() };

function addPrefixes(set: Set<string>, w: string): void {
  for (let i = 1; i <= w.length; i++) set.add(w.slice(0, i));
}

/** The last clause keyword of the text (SELECT, FROM, WHERE, …), lower case, or '' when a `)` closed it. */
function lastClause(text: string): string {
  const tail = text.slice(-300);
  const all = [...tail.matchAll(/\b(select|from|where|group|order|having|limit|union|intersect|except|on)\b/gi)];
  const last = all[all.length - 1];
  return last && !tail.slice(last.index).includes(')') ? last[1]!.toLowerCase() : '';
}

/** SELECT, select or Select (Spider's gold queries write Count(*)), never SeLeCt or deSc. Digits count as either. */
function oneCase(w: string): boolean {
  return w === w.toLowerCase() || w === w.toUpperCase() || w.slice(1) === w.slice(1).toLowerCase();
}

const NOT_ALIAS = new Set(['where', 'join', 'on', 'inner', 'left', 'right', 'cross', 'natural', 'group', 'order', 'limit', 'union', 'intersect', 'except', 'having', 'using']);

/**
 * The CTEs the text has defined (minus the one being written, which may not read itself) and the table aliases of
 * the step being written (`FROM singer AS T1 JOIN concert T2`), which bind `T1.` to singer's columns.
 */
function scopeOf(lexed: Token[]): Scope {
  const toks = lexed.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const ctes = new Set<string>();
  let stepStart = 0;
  let open: string | null = null;
  let depth = 0;
  let openDepth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'open') {
      depth++;
      const [name, as] = [toks[i - 2], toks[i - 1]];
      if (name?.kind === 'word' && as?.text.toLowerCase() === 'as' && /^s\d+$/i.test(name.text)) {
        open = name.text.toLowerCase();
        openDepth = depth;
        stepStart = i + 1;
      }
    } else if (t.kind === 'close') {
      if (open && depth === openDepth) {
        ctes.add(open);
        open = null;
        stepStart = i + 1;
      }
      depth--;
    }
  }
  const aliases = new Map<string, string | null>();
  for (let i = stepStart; i + 1 < toks.length; i++) {
    if (!/^(from|join)$/i.test(toks[i]!.text) || toks[i + 1]!.kind !== 'word') continue;
    const table = toks[i + 1]!.text.toLowerCase();
    let j = i + 2;
    if (toks[j]?.text.toLowerCase() === 'as') j++;
    const alias = toks[j];
    if (alias?.kind === 'word' && !NOT_ALIAS.has(alias.text.toLowerCase())) aliases.set(alias.text.toLowerCase(), ctes.has(table) ? null : table);
  }
  return { ctes, aliases };
}

function topIndices(xs: Float32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) idx.sort((a, b) => xs[b]! - xs[a]!);
    } else if (xs[i]! > xs[idx[k - 1]!]!) {
      let j = k - 1;
      while (j > 0 && xs[i]! > xs[idx[j - 1]!]!) j--;
      idx.splice(j, 0, i);
      idx.pop();
    }
  }
  return idx.length < k ? idx.sort((a, b) => xs[b]! - xs[a]!) : idx;
}

/** The text of every token id, for checking what a token would write. */
export function tokenTexts(decode: (ids: number[]) => string, vocabSize: number): string[] {
  return Array.from({ length: vocabSize }, (_, i) => decode([i]));
}
