/**
 * Prompts for models that were not trained on the CoCTE prompt (models brought from the Hugging Face Hub or a local
 * folder; issue 23). A chat model gets its own `chat_template` (tokenizer_config.json), rendered with
 * @huggingface/jinja: the CoCTE instructions as the system message, one worked example as a user / assistant turn,
 * then the schema and the question; the answer (the chain) is the assistant's reply. A base model (no template) gets a
 * plain completion prompt with the same parts as SQL comments. The embedded policy declares `cocte_prompt` in its
 * config and keeps its trained format (prompt.ts); nothing here touches it.
 */
import { Template } from '@huggingface/jinja';
import type { PromptFormat } from './prompt';

export const COCTE_INSTRUCTIONS = [
  'You translate questions about a SQLite database into one SQLite query, written as a chain of CTE steps.',
  'Write `WITH`, then each step as `  sN AS (` ... `  ),` with one simple operation per step (filter, join, group, order),',
  'each step reading tables or earlier steps, then a final SELECT from the last step. Use only the tables and columns of',
  'the schema; columns marked * are the ones the question mentions. Write only the SQL, no explanation.',
].join('\n');

/** The one worked example shown before the question. */
export const WORKED_EXAMPLE = {
  question: 'What are the names of the states where at least 3 heads were born?',
  schema: [
    '# department: Department_ID int PK = 1, Name text = State, Creation text = 1789, Ranking int = 1',
    '# head: head_ID int PK = 1, name text = Tiger Woods, born_state* text = Alabama, age real = 67',
    '# management: department_ID int PK = 2, head_ID int PK = 5, temporary_acting text = Yes',
    '# management.head_ID -> head.head_ID',
    '# management.department_ID -> department.Department_ID',
  ].join('\n'),
  chain: ['WITH', '  s1 AS (', '    SELECT born_state, count(*) AS count_all', '    FROM head', '    GROUP BY born_state', '  ),', '  s2 AS (', '    SELECT *', '    FROM s1', '    WHERE count_all >= 3', '  )', 'SELECT born_state', 'FROM s2'].join('\n'),
};

/** The schema and question as one user message (or completion block). */
export function questionBlock(question: string, schemaText: string): string {
  return `Schema:\n${schemaText}\n\nQuestion: ${question.replace(/\s+/g, ' ').trim()}`;
}

/** What a model folder says about its prompt: its tokenizer_config.json's template and special tokens. */
export interface TemplateSource {
  chat_template?: string | { name: string; template: string }[] | null;
  bos_token?: unknown;
  eos_token?: unknown;
}

/** A special token's text (tokenizer configs write it as a string or as `{ content: … }`). */
function tokenText(t: unknown): string {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && 'content' in t) return String((t as { content: unknown }).content);
  return '';
}

/** The template text of a tokenizer config (the `default` one when it lists several), or null. */
export function chatTemplateOf(source: TemplateSource): string | null {
  const t = source.chat_template;
  if (!t) return null;
  if (typeof t === 'string') return t;
  return (t.find((x) => x.name === 'default') ?? t[0])?.template ?? null;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The messages of a CoCTE chat prompt: instructions, the worked example, the question. */
export function cocteMessages(question: string, schemaText: string, system = true): ChatMessage[] {
  const example: ChatMessage[] = [
    { role: 'user', content: questionBlock(WORKED_EXAMPLE.question, WORKED_EXAMPLE.schema) },
    { role: 'assistant', content: WORKED_EXAMPLE.chain },
  ];
  const ask: ChatMessage = { role: 'user', content: questionBlock(question, schemaText) };
  // Templates that refuse a system role (some raise on it) get the instructions in the first user message.
  if (!system) return [{ role: 'user', content: `${COCTE_INSTRUCTIONS}\n\n${example[0]!.content}` }, example[1]!, ask];
  return [{ role: 'system', content: COCTE_INSTRUCTIONS }, ...example, ask];
}

/** The schema layout used for brought models: spaced names, linked columns marked `*`, two example values. */
const BROUGHT_SCHEMA = { order: 'schema-first', examplesPerColumn: 2, names: 'spaced' } as const;

/**
 * The prompt format of a chat model: its template rendered over `cocteMessages` with the generation prompt open,
 * so the chain is the assistant's reply. Throws when the template does not parse.
 */
export function chatPromptFormat(source: TemplateSource): PromptFormat {
  const text = chatTemplateOf(source);
  if (!text) throw new Error('The model has no chat template.');
  const template = new Template(text);
  const specials = { bos_token: tokenText(source.bos_token), eos_token: tokenText(source.eos_token) };
  const render = (messages: ChatMessage[]) => template.render({ messages, add_generation_prompt: true, ...specials });
  let system = true;
  try {
    render(cocteMessages('q', 's'));
  } catch {
    system = false;
  }
  return { ...BROUGHT_SCHEMA, render: (question, schemaText) => render(cocteMessages(question, schemaText, system)) };
}

/** The prompt format of a base model: instructions, the worked example and the question as SQL comments. */
export function completionPromptFormat(): PromptFormat {
  const comment = (s: string) => s.split('\n').map((l) => (l.startsWith('#') ? l : `-- ${l}`)).join('\n');
  const head = `${comment(COCTE_INSTRUCTIONS)}\n\n${comment(questionBlock(WORKED_EXAMPLE.question, WORKED_EXAMPLE.schema))}\n${WORKED_EXAMPLE.chain};\n\n`;
  return { ...BROUGHT_SCHEMA, render: (question, schemaText) => `${head}${comment(questionBlock(question, schemaText))}\n` };
}

/**
 * A brought model's prompt format: the trained CoCTE format when its config declares `cocte_prompt` (`own`), else
 * its chat template, else a completion prompt.
 */
export function broughtPromptFormat(own: PromptFormat | null, source: TemplateSource): { format: PromptFormat; kind: 'cocte' | 'chat' | 'completion' } {
  if (own) return { format: own, kind: 'cocte' };
  if (chatTemplateOf(source)) return { format: chatPromptFormat(source), kind: 'chat' };
  return { format: completionPromptFormat(), kind: 'completion' };
}
