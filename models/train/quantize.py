"""Dynamic int8 quantization with onnx.helper + numpy (Debian has no Python onnxruntime).

Every MatMul whose B input is a 2-D float initializer becomes
  DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q int8 per-column, zero points 0) -> Cast -> Mul(x_scale * w_scale)
the graph `quantize_dynamic` makes and transformers.js loads as dtype q8 (`model_quantized.onnx`).
The embedding Gather becomes an int8 per-row table: Gather(int8) -> Cast -> Mul(Gather(row scales)).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize_dynamic(src, dst):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes = []
    drop = set()
    added = []
    for node in g.node:
        if node.op_type == "MatMul" and node.input[1] in inits and len(inits[node.input[1]].dims) == 2:
            W = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            scale = np.abs(W).max(axis=0) / 127.0
            scale[scale == 0] = 1.0
            Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
            base = node.input[1].replace("/", "_").replace(".", "_") or node.name
            added += [numpy_helper.from_array(Wq, base + "_q"), numpy_helper.from_array(scale.astype(np.float32), base + "_scale"),
                      numpy_helper.from_array(np.zeros(Wq.shape[1], dtype=np.int8), base + "_zp")]
            drop.add(node.input[1])
            x = node.input[0]
            n = (node.name or base).replace("/", "_")
            new_nodes += [
                helper.make_node("DynamicQuantizeLinear", [x], [n + "_xq", n + "_xs", n + "_xzp"], name=n + "_dql"),
                helper.make_node("MatMulInteger", [n + "_xq", base + "_q", n + "_xzp", base + "_zp"], [n + "_int"], name=n + "_mmi"),
                helper.make_node("Cast", [n + "_int"], [n + "_f"], to=TensorProto.FLOAT, name=n + "_cast"),
                helper.make_node("Mul", [n + "_xs", base + "_scale"], [n + "_s"], name=n + "_scl"),
                helper.make_node("Mul", [n + "_f", n + "_s"], [node.output[0]], name=n + "_out"),
            ]
        elif is_table_gather(node, inits):
            new_nodes += quantize_gather(node, inits, added, drop)
        else:
            new_nodes.append(node)
    replace_graph(g, new_nodes, added, drop)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def is_table_gather(node, inits):
    """A Gather from a 2-D float initializer: the embedding table."""
    return node.op_type == "Gather" and node.input[0] in inits and len(inits[node.input[0]].dims) == 2


def quantize_gather(node, inits, added, drop):
    """The nodes that replace an embedding Gather with an int8 per-row table: Gather(int8) -> Cast -> Mul(row scales).
    The new initializers go to `added`, the replaced table's name to `drop`."""
    E = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
    scale = np.abs(E).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    Eq = np.clip(np.round(E / scale), -127, 127).astype(np.int8)
    base = node.input[0].replace(".", "_")
    added += [numpy_helper.from_array(Eq, base + "_q"), numpy_helper.from_array(scale.astype(np.float32), base + "_rs")]
    drop.add(node.input[0])
    n = (node.name or base).replace("/", "_")
    return [
        helper.make_node("Gather", [base + "_q", node.input[1]], [n + "_gq"], name=n + "_g"),
        helper.make_node("Cast", [n + "_gq"], [n + "_gf"], to=TensorProto.FLOAT, name=n + "_gc"),
        helper.make_node("Gather", [base + "_rs", node.input[1]], [n + "_gs"], name=n + "_gsc"),
        helper.make_node("Mul", [n + "_gf", n + "_gs"], list(node.output), name=n + "_gm"),
    ]


def replace_graph(g, nodes, added, drop):
    """Gives graph `g` the nodes `nodes` and the initializers `added`, dropping those in `drop` that no node reads."""
    used = {i for n in nodes for i in n.input}
    keep = [i for i in g.initializer if i.name not in drop or i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep + added)
    del g.node[:]
    g.node.extend(nodes)
