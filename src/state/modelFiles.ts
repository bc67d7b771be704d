/**
 * The embedded models' files, emitted by Vite as assets (a bigger Hugging Face model can be pointed to instead):
 * the policy that writes CoCTE chains and the process reward model (PRM) that scores their steps.
 */
import config from '../../models/policy/config.json?url';
import generationConfig from '../../models/policy/generation_config.json?url';
import onnx from '../../models/policy/onnx/model_quantized.onnx?url';
import tokenizer from '../../models/policy/tokenizer.json?url';
import tokenizerConfig from '../../models/policy/tokenizer_config.json?url';
import prmConfig from '../../models/prm/config.json?url';
import prmOnnx from '../../models/prm/onnx/model_quantized.onnx?url';
import prmTokenizer from '../../models/prm/tokenizer.json?url';
import prmTokenizerConfig from '../../models/prm/tokenizer_config.json?url';
import type { ModelFiles } from '../workers/modelProtocol';

export const EMBEDDED_POLICY: ModelFiles = { config, tokenizer, tokenizerConfig, onnx, generationConfig };

export const EMBEDDED_PRM: ModelFiles = { config: prmConfig, tokenizer: prmTokenizer, tokenizerConfig: prmTokenizerConfig, onnx: prmOnnx };
