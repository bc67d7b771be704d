/**
 * The name rule of constrained decoding (a soft token rule, tokenRules.ts): the names the model writes must exist and
 * fit where they stand, and read the tables a question's join needs. Outside string literals, every word it
 * completes must be an SQL keyword or function, a table or column of the open schema spelled in a case the schema
 * uses, a CTE or alias it defined itself (s1, T1, …) or a derived alias (count_all, avg_age, singer_name, …), and must
 * fit its slot (after FROM a table or finished CTE, after `T1.` a column of T1's table, …); a word still being
 * written must be the prefix of such a word. Join heuristics on top (queryScope.ts): a SELECT's first source must be
 * able to provide the columns its select list wrote, itself or through foreign keys (`SELECT avg(Age) FROM` reads
 * singer, not stadium); the k-th source is the table that has Tk's columns when one does; an alias goes to the table
 * that has its columns; no table is joined only to itself without a foreign key to itself.
 * What is valid SQL (grammar, scope, clause order, arities, layout) is the prefix checker's concern (sqlcheck/), and
 * the values of literals and numbers the literal and number rules' (rules/). Each rule admits every Spider dev gold
 * chain (`npm run constraint:check`).
 */
import { chainScope, type QueryFrame } from './queryScope';
import { endsInsideQuotes, lex, type Token } from './sqlLexer';
import { TokenRuleList, type TokenRule } from './tokenRules';
import type { SchemaInfo } from './types';

/**
 * The keywords a chain may write. Not COLLATE or RECURSIVE: no Spider query uses them, and `collate false collate
 * false …` is valid SQL a lost model repeated to the token limit.
 */
const KEYWORDS =
  'select from where and or not in is null like glob between exists group by having order asc desc limit offset join inner left right full ' +
  'outer cross natural on using as distinct all union intersect except with case when then else end cast escape values ' +
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
type Slot =
  | { kind: 'table' }
  | { kind: 'columns'; of: Set<string> }
  | { kind: 'name' }
  | { kind: 'new' }
  | { kind: 'alias'; of: string }
  | { kind: 'expr' }
  | { kind: 'any' };

/** Keywords that cannot begin an operand: after WHERE, AND, SELECT, `(`, `,`, `=`, … they are a syntax error. */
const NOT_AN_OPERAND = new Set(
  ('from where and or like glob between is in limit offset group by having order asc desc join inner left right full outer ' +
    'cross natural on using as union intersect except then else end collate escape values').split(' '),
);

/**
 * What the chain written so far puts in scope (queryScope.ts): the finished CTEs and their columns, the qualifiers
 * (aliases, or source names) of the SELECTs being written with their columns, the SELECT the text is in, and the
 * column names a bare word may be at this point (null: not known, so not restricted).
 */
interface Scope {
  ctes: Map<string, Set<string> | null>;
  qualifiers: Map<string, Set<string> | null>;
  frame: QueryFrame | null;
  /** Whether every source of the SELECTs being written has known columns (else qualifiers are not checked). */
  known: boolean;
  visible: Set<string> | null;
  /** Every column of the schema's tables and of the finished CTEs (null when a CTE's columns are unknown). */
  everyColumn: Set<string> | null;
}

export class IdentifierConstraint {
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
  /** Tables linked by a foreign key (either direction), lower case. */
  private readonly neighbours = new Map<string, Set<string>>();
  private readonly allColumns = new Set<string>();
  constructor(
    schema: SchemaInfo,
    private readonly tokenTexts: string[],
    private readonly topK = 40,
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
    for (const t of schema.tables) {
      for (const c of t.columns) {
        this.allColumns.add(c.name.toLowerCase());
      }
      for (const fk of t.foreignKeys) {
        const [a, b] = [t.name.toLowerCase(), fk.table.toLowerCase()];
        if (!this.neighbours.has(a)) this.neighbours.set(a, new Set());
        if (!this.neighbours.has(b)) this.neighbours.set(b, new Set());
        this.neighbours.get(a)!.add(b);
        this.neighbours.get(b)!.add(a);
      }
    }
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
    if (slot.kind === 'new') return madeUpName(w, slot);
    if (slot.kind === 'alias') return madeUpName(w, slot) && this.aliasFits(w, slot.of, scope);
    if (slot.kind === 'table') return ((this.tables.has(w) && !this.misspelled(word)) || scope.ctes.has(w)) && this.sourceFits(w, scope);
    if (slot.kind === 'columns') return slot.of.has(w) && !this.misspelled(word);
    if (slot.kind === 'name') return this.isName(word) && (!scope.everyColumn || scope.everyColumn.has(w));
    if (/^[0-9]/.test(w)) return /^[0-9]+$/.test(w); // a number (200sse is not)
    // An alias or CTE name: before `.` it must be in scope; alone, only where a bare name is not checked.
    if (/^[st]\d{1,2}$/.test(w)) return next === '.' || !scope.visible || scope.visible.has(w);
    if (this.keywords.has(w) && oneCase(word) && !(slot.kind === 'expr' && NOT_AN_OPERAND.has(w)) && (next === '(' || !FUNCTIONS.has(w) || this.names.has(w)))
      return true;
    if (next === '.') return this.names.has(w) && !this.misspelled(word);
    if (scope.visible) return scope.visible.has(w) && !this.misspelled(word);
    if (this.names.has(w)) return !this.misspelled(word) && !this.tableOnly.has(w);
    return this.isName(word);
  }

  /**
   * Whether `w` may be read next in the FROM clause being written (see `allowedSources`).
   */
  private sourceFits(w: string, scope: Scope): boolean {
    const allowed = this.allowedSources(scope);
    return !allowed || allowed.has(w);
  }

  /**
   * The tables and CTEs the FROM clause being written may read next; null: any. The first source must be able to
   * provide the columns the select list has already written: each is a column of the source or of a table it reaches
   * through foreign keys (one step, or two when the select list qualifies its columns, i.e. a join follows). A later
   * source (JOIN t, or FROM a, t), while the select list still has columns no source provides, must provide some of
   * them, itself or through one or two foreign keys (a bridge table, or a chain of two). When no source could, nothing
   * is restricted. Computed once per scope (scopes are remembered per text, and every candidate token shares them).
   */
  private allowedSources(scope: Scope): Set<string> | null {
    if (this.sourceSets.has(scope)) return this.sourceSets.get(scope)!;
    const fits = this.sourceTest(scope);
    const names = fits ? [...this.tables.keys(), ...scope.ctes.keys()].filter(fits) : [];
    const allowed = names.length > 0 ? new Set(names) : null;
    this.sourceSets.set(scope, allowed);
    return allowed;
  }

  private readonly sourceSets = new WeakMap<Scope, Set<string> | null>();

  /** The test a source must pass here (see `allowedSources`), or null when nothing is restricted. */
  private sourceTest(scope: Scope): ((name: string) => boolean) | null {
    const f = scope.frame;
    if (!f || f.phase !== 'from') return null;
    if (f.sources.length === 0) {
      const refs = [...f.bare].filter((c) => !f.outputs.has(c));
      for (const cols of f.qualified.values()) refs.push(...cols);
      if (refs.length === 0) return null;
      const hops = f.qualified.size > 0 ? 2 : 1;
      // `SELECT T1.fname, T1.age FROM` names its first source T1 (how Spider, and so the model, writes joins): that
      // source must have T1's columns itself. Reaching them through a foreign key is not enough: after
      // `FROM has_pet AS T1` the alias rule rejects T1 and the model, which meant `T1 JOIN`, has no way on.
      const t1 = f.qualified.get('t1');
      return (name) => {
        const reach = this.reach(name, hops, scope);
        if (reach === null) return true;
        if (t1 && this.tables.has(name) && ![...t1].every((c) => this.tables.get(name)!.has(c))) return false;
        return refs.every((c) => reach.has(c));
      };
    }
    // A table joined only to itself (`course AS T1 JOIN course AS T2`) without a foreign key of its own to itself:
    // Spider writes this for 4 of 8,659 training queries, a small model for an eighth of its answers, when it has put
    // a second table's columns on the wrong table.
    const selfJoin = (name: string) => f.sources.every((s) => s.name === name) && !this.neighbours.get(name)?.has(name);
    if (!scope.known) return (name) => !selfJoin(name);
    // `SELECT T1.FullName, T2.Maker FROM car_makers AS T1 JOIN` names its k-th source Tk, as for the first: when some
    // table has T2's columns itself, that is the one to join. Reaching them through a foreign key let the model
    // join the bridge (`car_names`), find the alias T2 refused there, and go on as `T22` into nonsense (52 of 972
    // greedy dev answers of policy run 9). Spider's training queries break the convention in 4 of 2,700 joins.
    const kth = `t${f.sources.length + 1}`;
    const own = scope.qualifiers.has(kth) ? undefined : f.qualified.get(kth);
    if (own?.size) {
      const holds = (name: string) => !selfJoin(name) && [...own].every((c) => this.columnsOf(name, scope)?.has(c));
      if ([...this.tables.keys(), ...scope.ctes.keys()].some(holds)) return holds;
    }
    const have = new Set(f.sources.flatMap((s) => [...s.columns!]));
    const wanted: string[][] = [...f.qualified.entries()].filter(([q]) => !scope.qualifiers.has(q)).map(([, cols]) => [...cols]);
    for (const c of f.bare) if (!f.outputs.has(c) && !have.has(c)) wanted.push([c]);
    return (name) => {
      if (selfJoin(name)) return false;
      if (wanted.length === 0) return true;
      const reach = this.reach(name, 2, scope);
      return reach === null || wanted.some((cols) => cols.every((c) => reach.has(c)));
    };
  }

  /** The columns of a table and of the tables `hops` foreign-key steps away (cached); a CTE's own columns; null: unknown. */
  private reach(name: string, hops: number, scope: Scope): Set<string> | null {
    if (!this.tables.has(name)) return scope.ctes.get(name) ?? null;
    const key = `${hops}:${name}`;
    const hit = this.reaches.get(key);
    if (hit) return hit;
    let seen = new Set([name]);
    let frontier = [name];
    for (let h = 0; h < hops; h++) {
      const next: string[] = [];
      for (const t of frontier) for (const n of this.neighbours.get(t) ?? []) if (!seen.has(n)) next.push(n);
      seen = new Set([...seen, ...next]);
      frontier = next;
    }
    const cols = new Set([...seen].flatMap((t) => [...(this.tables.get(t) ?? [])]));
    this.reaches.set(key, cols);
    return cols;
  }

  private readonly reaches = new Map<string, Set<string>>();

  /** The columns of a table or finished CTE (undefined: not a source; null: a CTE whose columns are unknown). */
  private columnsOf(source: string, scope: Scope): Set<string> | null | undefined {
    return this.tables.get(source) ?? scope.ctes.get(source);
  }

  /** An alias may not be one the SELECT already bound, nor one its columns (`T1.name`) say is another table's. */
  private aliasFits(alias: string, source: string, scope: Scope): boolean {
    const f = scope.frame;
    if (!f) return true;
    if (f.sources.slice(0, -1).some((s) => s.alias === alias)) return false;
    const cols = this.columnsOf(source, scope);
    const fitting = this.fittingAliases(source, scope);
    if (fitting.length > 0) return fitting.includes(alias) || alias === this.naturalAlias(f);
    const used = f.qualified.get(alias);
    return !cols || !used || [...used].every((c) => cols.has(c));
  }

  /** T<k> for the k-th source, when the select list does not use it for other columns (gold: FROM a AS T1 JOIN b AS T2). */
  private naturalAlias(f: QueryFrame): string | null {
    const t = `t${f.sources.length}`;
    return f.qualified.has(t) ? null : t;
  }

  /**
   * The qualifiers the select list used (`T2.name`) that no source has bound yet and whose columns `source` has: the
   * alias `source` should get (`SELECT T2.Name, T1.Year FROM stadium AS` → T2, not a made-up T11).
   */
  private fittingAliases(source: string, scope: Scope): string[] {
    const f = scope.frame;
    const cols = this.columnsOf(source, scope);
    if (!f || !cols || !scope.known) return [];
    return [...f.qualified.entries()].filter(([q, used]) => !scope.qualifiers.has(q) && [...used].every((c) => cols.has(c))).map(([q]) => q);
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
    if (slot.kind === 'alias') {
      const fitting = this.fittingAliases(slot.of, scope);
      const natural = scope.frame ? this.naturalAlias(scope.frame) : null;
      if (fitting.length > 0) return [...fitting, ...(natural ? [natural] : [])].some((a) => a.startsWith(w));
    }
    if (slot.kind === 'new' || slot.kind === 'alias') return madeUpName(w, slot);
    if (slot.kind === 'table')
      return (
        (this.tablePrefixes.has(w) && !this.misspelled(word)) ||
        [...scope.ctes.keys()].some((c) => c.startsWith(w))
      ) && [...this.tables.keys(), ...scope.ctes.keys()].some((t) => t.startsWith(w) && this.sourceFits(t, scope));
    if (slot.kind === 'columns') return [...slot.of].some((c) => c.startsWith(w)) && !this.misspelled(word);
    if (slot.kind === 'name' && scope.everyColumn) return [...scope.everyColumn].some((c) => c.startsWith(w)) && !this.misspelled(word);
    const numbered = /^(.*)_\d{0,2}$/.exec(w);
    const namePrefix = scope.visible
      ? !this.misspelled(word) && [...scope.visible, ...this.qualifierNames(scope)].some((c) => c.startsWith(w))
      : (this.namePrefixes.has(w) && !this.misspelled(word)) || (!!numbered && this.names.has(numbered[1]!));
    if (slot.kind === 'name' || namePrefix) return namePrefix;
    if (/^[0-9]/.test(w)) return /^[0-9]+$/.test(w);
    // T1, s2: an alias may be written before FROM defines it; after FROM only the ones in scope (checked below).
    if (/^[st]\d{0,2}$/.test(w) && (!scope.visible || scope.frame?.phase === 'select')) return true;
    return (slot.kind === 'expr' ? this.operandKeywordPrefixes : this.keywordPrefixes).has(w) && oneCase(word);
  }

  /** The words that may stand before a `.` here: the sources in scope, or (before FROM) any table. */
  private qualifierNames(scope: Scope): string[] {
    const phase = scope.frame?.phase;
    return !phase || phase === 'select' || !scope.known ? [...this.tables.keys()] : [...scope.qualifiers.keys()];
  }

  /** What the text written so far puts in scope (see Scope); the last few are remembered (tokens share them). */
  private scopeOf(before: string, strict = true): Scope {
    if (!strict) {
      // Relaxed: aliases still bind their table's columns, nothing else is checked.
      const s = this.scopeOf(before);
      return { ...EMPTY_SCOPE, ctes: s.ctes, qualifiers: s.qualifiers, known: false };
    }
    const hit = this.scopes.get(before);
    if (hit) return hit;
    const scope = this.computeScope(before);
    if (this.scopes.size >= 16) this.scopes.delete(this.scopes.keys().next().value!);
    this.scopes.set(before, scope);
    return scope;
  }

  private readonly scopes = new Map<string, Scope>();

  private computeScope(before: string): Scope {
    const toks = lex(before).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    const { ctes, frames } = chainScope(toks, this.tables, (w) => this.keywords.has(w));
    const qualifiers = new Map<string, Set<string> | null>();
    let known = true;
    for (const f of frames)
      for (const s of f.sources) {
        qualifiers.set(s.alias ?? s.name, s.columns);
        if (!s.columns) known = false;
      }
    let everyColumn: Set<string> | null = new Set(this.allColumns);
    for (const cols of ctes.values()) {
      if (!cols) everyColumn = null;
      else for (const c of cols) everyColumn?.add(c);
    }
    const frame = frames[frames.length - 1] ?? null;
    // The columns of every source in scope (this SELECT's and the ones it is nested in), when all are known.
    const sourceColumns = frame && known && frame.sources.length > 0 ? new Set(frames.flatMap((f) => f.sources.flatMap((s) => [...s.columns!]))) : null;
    let visible: Set<string> | null = null;
    if (frame?.phase === 'select' && everyColumn) visible = new Set([...everyColumn, ...frame.outputs]);
    else if (sourceColumns && (frame!.phase === 'on' || frame!.phase === 'after')) visible = new Set([...sourceColumns, ...frame!.outputs]);
    return { ctes, qualifiers, frame, known, visible, everyColumn };
  }

  /**
   * Masks the logits of tokens that would write an unknown name (keeps the top-K tokens that pass): the name rules
   * with every check, then with names checked against the schema and their slot only (a TokenRuleList of the two
   * tiers). For the name rule alone; decoding combines it with the other rules (answerConfig.ts ConstraintBuilder).
   */
  apply(text: string, logits: Float32Array): boolean {
    this.rules ??= new TokenRuleList(this.tokenTexts, [[this.rule(true)], [this.rule(false)]], [], { topK: this.topK });
    return this.rules.apply(text, logits);
  }

  private rules: TokenRuleList | null = null;

  /** The name rules as a token rule: with every check (`strict`), or names checked against the schema and their slot only. */
  rule(strict: boolean): TokenRule {
    return { test: (text) => this.tokenTest(text, this.lexed(text), strict) };
  }

  /** The text's lexer tokens, kept for the last text (both tiers of a position read them). */
  private lexed(text: string): Token[] {
    if (this.lastLex?.text !== text) this.lastLex = { text, toks: lex(text) };
    return this.lastLex.toks;
  }

  private lastLex: { text: string; toks: Token[] } | null = null;

  /**
   * Which tokens may follow `text`: with every rule (`strict`), or with names checked against the schema and their
   * slot only. Null when nothing is checked here (inside a quoted identifier or an unchecked literal).
   */
  private tokenTest(text: string, toks: Token[], strict: boolean): ((tokenText: string) => boolean) | null {
    if (endsInsideQuotes(toks)) return null; // a literal's value is the literal rule's concern (rules/literalRule.ts)
    const partial = /[A-Za-z0-9_]*$/.exec(text)![0];
    const before = text.slice(0, text.length - partial.length);
    const scope = this.scopeOf(before, strict);
    const slot = this.slotAfter(before, scope); // where the word being written (or the next one) stands
    return (tokenText: string) => this.tokenOk(before, partial, slot, tokenText, scope, strict);
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
  private slotAfter(text: string, scope: Scope): Slot {
    // Keywords are read outside quotes: a column "from" is no FROM clause.
    const before = withoutQuoted(text);
    const tail = before.slice(-80);
    const dotted = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(tail);
    if (dotted) {
      const q = dotted[1]!.toLowerCase();
      const cols = scope.qualifiers.has(q) ? scope.qualifiers.get(q) : this.tables.get(q);
      return cols ? { kind: 'columns', of: cols } : { kind: 'name' }; // an unknown or not-yet-defined alias's columns: a name, no keyword
    }
    if (/\b(from|join)\s+$/i.test(tail)) return { kind: 'table' };
    const aliased = /\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)\s+as\s+$/i.exec(tail);
    if (aliased) return { kind: 'alias', of: aliased[1]!.toLowerCase() };
    if (/\bas\s+$/i.test(tail)) return { kind: 'new' };
    if (/,\s*$/.test(tail) && /\bfrom\b/i.test(lastClause(before))) return { kind: 'table' }; // FROM a, b
    return /(\b(select|distinct|where|and|or|on|having|by|when|then|else)|[(,=<>])\s*$/i.test(tail) ? { kind: 'expr' } : ANY;
  }

  private tokenOk(before: string, partial: string, firstSlot: Slot, tokenText: string, firstScope: Scope, strict: boolean): boolean {
    let slot = firstSlot;
    let scope = firstScope;
    // The end token (empty text) ends the word being written: only a complete name may end there.
    if (tokenText === '') return partial === '' || this.allowedWord(partial, slot, scope, '');
    let word = partial;
    let quoted: string | null = null;
    for (let i = 0; i < tokenText.length; i++) {
      const ch = tokenText[i]!;
      if (quoted) {
        if (ch === quoted && tokenText[i + 1] === quoted) i++;
        else if (ch === quoted) quoted = null;
        continue;
      }
      if (/[A-Za-z0-9_]/.test(ch)) {
        if (word === '' && i > 0) {
          // A word that starts inside the token: its scope and slot include what the token wrote before it.
          const upTo = before + partial + tokenText.slice(0, i);
          scope = this.scopeOf(upTo, strict);
          slot = this.slotAfter(upTo, scope);
        }
        word += ch;
        continue;
      }
      if (word && !this.allowedWord(word, slot, scope, ch)) return false;
      word = '';
      if (ch === "'" || ch === '"') quoted = ch;
    }
    return quoted !== null || word === '' || this.allowedPrefix(word, slot, scope);
  }

}

const ANY: Slot = { kind: 'any' };
/** A name the model makes up (after AS) is at most this long: beyond it a small model is looping, not naming. */
const MAX_NEW_NAME = 48;
/** A table alias is short (T1; every Spider alias has 1 or 2 characters); `t2ates_in_id_id_txt_certcert` is a loop. */
const MAX_ALIAS = 10;

/** A name the model makes up (lower-cased `w`; also a prefix of one): a new output name after AS, or a table alias. */
function madeUpName(w: string, slot: Slot): boolean {
  return /^[a-z_]/.test(w) && w.length <= (slot.kind === 'alias' ? MAX_ALIAS : MAX_NEW_NAME);
}
const EMPTY_SCOPE: Scope = {
  ctes: new Map(),
  qualifiers: new Map(),
  frame: null,
  known: true,
  visible: null,
  everyColumn: null,
};

function addPrefixes(set: Set<string>, w: string): void {
  for (let i = 1; i <= w.length; i++) set.add(w.slice(0, i));
}

/**
 * The text with the content of every string and quoted name replaced by `_` (same length), so that patterns over it
 * see only SQL's own words: `SELECT "from",` is in a select list. The last text is remembered (tokens share it).
 */
function withoutQuoted(text: string): string {
  if (maskMemo.text === text) return maskMemo.masked;
  let masked = '';
  for (const t of lex(text)) masked += t.kind === 'string' || t.kind === 'quoted' ? t.text[0] + '_'.repeat(Math.max(0, t.text.length - 2)) + (t.text.length > 1 ? t.text.at(-1) : '') : t.text;
  maskMemo = { text, masked };
  return masked;
}

let maskMemo = { text: '', masked: '' };

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


/** The text of every token id, for checking what a token would write. */
export function tokenTexts(decode: (ids: number[]) => string, vocabSize: number): string[] {
  return Array.from({ length: vocabSize }, (_, i) => decode([i]));
}
