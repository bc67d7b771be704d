"""Unit tests of the GRPO loss (models/train/grpo.py) on fixed numbers; run by tests/grpo.test.ts.

  /usr/bin/python3 -m unittest discover -s models/train -p 'test_grpo.py'
"""
import math
import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(__file__))
from grpo import collate, grpo_token_loss, micro_batches  # noqa: E402


class GrpoLoss(unittest.TestCase):
    def test_on_policy_loss_is_minus_advantage_and_kl_zero(self):
        lp = torch.log(torch.tensor([[0.5, 0.25, 0.1]]))
        mask = torch.tensor([[1.0, 1.0, 0.0]])
        loss, st = grpo_token_loss(lp, lp.clone(), lp.clone(), torch.tensor([2.0]), mask, 0.2, 0.1)
        self.assertAlmostEqual(float(loss), -2.0, places=6)  # ratio 1 on both tokens: -A
        self.assertAlmostEqual(st["kl"], 0.0, places=7)
        self.assertAlmostEqual(st["clipfrac"], 0.0, places=7)

    def test_clip_caps_a_positive_advantage(self):
        # ratio e^0.5 = 1.6487 > 1.2: with A = 1 the objective is min(1.6487, 1.2) = 1.2.
        lp = torch.tensor([[0.0]])
        old = torch.tensor([[-0.5]])
        loss, st = grpo_token_loss(lp, old, lp.clone(), torch.tensor([1.0]), torch.ones(1, 1), 0.2, 0.0)
        self.assertAlmostEqual(float(loss), -1.2, places=5)
        self.assertAlmostEqual(st["clipfrac"], 1.0)

    def test_clip_does_not_cap_a_negative_advantage_that_grew(self):
        # A = -1, ratio 1.6487: min(-1.6487, -1.2) = -1.6487, so the loss is 1.6487 (the pessimistic bound).
        lp = torch.tensor([[0.0]])
        old = torch.tensor([[-0.5]])
        loss, _ = grpo_token_loss(lp, old, lp.clone(), torch.tensor([-1.0]), torch.ones(1, 1), 0.2, 0.0)
        self.assertAlmostEqual(float(loss), math.exp(0.5), places=5)

    def test_k3_kl_on_fixed_numbers(self):
        # q = log pi_ref - log pi = -0.3 - (-0.1) = -0.2: k3 = e^-0.2 + 0.2 - 1 = 0.018731.
        lp = torch.tensor([[-0.1]])
        ref = torch.tensor([[-0.3]])
        loss, st = grpo_token_loss(lp, lp.clone(), ref, torch.tensor([0.0]), torch.ones(1, 1), 0.2, 0.5)
        k3 = math.exp(-0.2) + 0.2 - 1
        self.assertAlmostEqual(st["kl"], k3, places=6)
        self.assertAlmostEqual(float(loss), 0.5 * k3, places=6)

    def test_each_chain_is_a_mean_over_its_own_tokens(self):
        # Chain 1 has 1 masked token, chain 2 has 3: both count once (GRPO's per-sequence mean).
        lp = torch.zeros(2, 3)
        mask = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
        loss, _ = grpo_token_loss(lp, lp.clone(), lp.clone(), torch.tensor([1.0, -3.0]), mask, 0.2, 0.0)
        self.assertAlmostEqual(float(loss), -1.0 + 3.0, places=6)

    def test_collate_masks_only_the_completion(self):
        ids, att, comp, adv = collate([{"ids": [5, 6, 7, 8], "start": 2, "adv": 0.5}, {"ids": [5, 6, 9], "start": 2, "adv": -1}])
        self.assertEqual(ids.tolist(), [[5, 6, 7, 8], [5, 6, 9, 1]])
        self.assertEqual(att.tolist(), [[1, 1, 1, 1], [1, 1, 1, 0]])
        # Position t predicts token t+1: the completion tokens 7, 8 are predicted at positions 1, 2.
        self.assertEqual(comp.tolist(), [[0, 1, 1], [0, 1, 0]])
        self.assertEqual(adv.tolist(), [0.5, -1.0])

    def test_micro_batches_respect_the_token_budget(self):
        rows = [{"ids": [0] * n} for n in (10, 300, 20, 290, 15)]
        mbs = micro_batches(rows, 600)
        self.assertEqual(sorted(i for mb in mbs for i in mb), [0, 1, 2, 3, 4])
        for mb in mbs:
            self.assertLessEqual(max(len(rows[i]["ids"]) for i in mb) * len(mb), 600)


if __name__ == "__main__":
    unittest.main()
