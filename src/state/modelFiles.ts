/** The embedded policy's files, emitted by Vite as assets (a bigger Hugging Face model can be pointed to instead). */
import config from '../../models/policy/config.json?url';
import onnx from '../../models/policy/onnx/model_quantized.onnx?url';
import tokenizer from '../../models/policy/tokenizer.json?url';
import tokenizerConfig from '../../models/policy/tokenizer_config.json?url';
import type { ModelFiles } from '../workers/modelProtocol';

export const EMBEDDED_POLICY: ModelFiles = { config, tokenizer, tokenizerConfig, onnx };
