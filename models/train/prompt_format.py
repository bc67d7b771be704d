"""The prompt layout a data set was made with, as the `cocte_prompt` entry of a model's config.json.

The data scripts record it in the stats.json beside their train.jsonl (`promptFormat: {order, examplesPerColumn}`);
the runtime reads `cocte_prompt` (src/core/prompt.ts promptFormatOf). Data made before the field existed was
schema-first, which is also the runtime's default, so nothing is written for it.
"""
import json
import os


def cocte_prompt_of(data_path):
    stats = os.path.join(os.path.dirname(data_path), "stats.json")
    fmt = json.load(open(stats)).get("promptFormat") if os.path.exists(stats) else None
    if not fmt:
        return None
    out = {"order": fmt["order"], "examples_per_column": fmt["examplesPerColumn"]}
    if fmt.get("names"):
        out["names"] = fmt["names"]  # 'spaced': `# t: col TYPE, col* TYPE` (src/core/prompt.ts NameStyle)
    if fmt.get("links"):
        out["links"] = fmt["links"]  # 'kinds': `col*` named or valued, `col~` said in other words (src/core/prompt.ts LinkMarks)
    return out
