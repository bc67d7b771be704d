"""Adds `present_step.{i}.{key,value}` outputs to an exported decoder: the keys and values of this call's tokens only.

    /usr/bin/python3 models/train/step_outputs.py models/policy/onnx/model_quantized.onnx [more.onnx ...]

`present.{i}.{kv}` (the transformers.js layout) is Concat(past_key_values.{i}.{kv}, new), so a runtime that keeps the
cache itself can fetch only `new` and append it. That matters in the browser: onnxruntime-web copies every fetched
output into a newly allocated array, and Chromium faults in fresh pages for each (README, "Where the browser lost"),
so fetching the whole cache each token cost most of a decode step. The file keeps every original output;
runtimes that do not know the new ones are unaffected. Idempotent.
"""
import sys

import onnx
from onnx import TensorProto, helper


def add_step_outputs(path):
    model = onnx.load(path)
    g = model.graph
    have = {o.name for o in g.output}
    producer = {o: n for n in g.node for o in n.output}
    added = 0
    for out in list(g.output):
        if not out.name.startswith("present.") or out.name.replace("present.", "present_step.", 1) in have:
            continue
        node = producer.get(out.name)
        past = out.name.replace("present.", "past_key_values.", 1)
        if node is None or node.op_type != "Concat" or len(node.input) != 2 or node.input[0] != past:
            raise SystemExit(f"{path}: {out.name} is not Concat({past}, new); cannot add its step output")
        name = out.name.replace("present.", "present_step.", 1)
        g.node.append(helper.make_node("Identity", [node.input[1]], [name], name=f"{name}/Identity"))
        dims = [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim]
        dims[2] = "sequence_length"
        g.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, dims))
        added += 1
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return added


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(p, "step outputs added:", add_step_outputs(p))
