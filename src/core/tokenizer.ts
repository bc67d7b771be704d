/** The tokenizer of a model folder (tokenizer.json + tokenizer_config.json), through @huggingface/tokenizers. */
import { Tokenizer } from '@huggingface/tokenizers';

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  eosId: number;
}

export function loadTokenizer(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown>): TextTokenizer {
  const tok = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
  const eos = String(tokenizerConfig.eos_token ?? '<|endoftext|>');
  const eosId = tok.encode(eos, { add_special_tokens: false }).ids[0] ?? 0;
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => (ids.length ? tok.decode(ids, { skip_special_tokens: true }) : ''),
    eosId,
  };
}
