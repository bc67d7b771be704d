import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chainReward, groupAdvantages, OUTCOME_REWARD, processReward, rlSettings, type Rollout } from '../src/core/rl/grpo';

const chain = (outcome: Rollout['outcome'], stepScores: number[] = [], stepEntropies: number[] = []): Rollout => ({ outcome, stepScores, stepEntropies });

describe('GRPO rewards', () => {
  it('gives the outcome its documented value', () => {
    const s = rlSettings({ processWeight: 0 });
    expect(chainReward(chain('correct', [0.2]), s)).toBe(1);
    expect(chainReward(chain('wrong', [0.9]), s)).toBe(0);
    expect(chainReward(chain('failed'), s)).toBe(OUTCOME_REWARD.failed);
    expect(OUTCOME_REWARD.failed).toBeLessThan(OUTCOME_REWARD.wrong);
  });

  it('adds λ times the entropy-weighted PRM score', () => {
    // Weights 1/(0.1+0.1) = 5 and 1/(0.9+0.1) = 1, normalized 5/6 and 1/6: 0.9·5/6 + 0.3·1/6 = 0.8.
    const c = chain('wrong', [0.9, 0.3], [0.1, 0.9]);
    expect(processReward(c)).toBeCloseTo(0.8, 10);
    expect(chainReward(c, rlSettings({ processWeight: 0.5 }))).toBeCloseTo(0.4, 10);
    expect(chainReward(chain('correct', [0.5, 0.5], [0.2, 0.2]), rlSettings({ processWeight: 0.5 }))).toBeCloseTo(1.25, 10);
  });

  it('gives a chain the PRM did not score no process reward', () => {
    expect(processReward(chain('failed'))).toBe(0);
  });
});

describe('GRPO advantages', () => {
  it('normalizes by the group mean and unbiased standard deviation', () => {
    // Rewards 1, 0, 0, 0: mean 0.25, unbiased std sqrt((0.5625 + 3·0.0625)/3) = 0.5.
    const a = groupAdvantages([1, 0, 0, 0]);
    expect(a[0]).toBeCloseTo(1.5, 5);
    expect(a[1]).toBeCloseTo(-0.5, 5);
    expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(0, 10);
  });

  it('gives a group of equal rewards no advantage', () => {
    expect(groupAdvantages([0.3, 0.3, 0.3])).toEqual([0, 0, 0]);
    expect(groupAdvantages([1])).toEqual([0]);
  });

  it('rejects settings GRPO cannot use', () => {
    expect(() => rlSettings({ group: 1 })).toThrow(/at least 2/);
    expect(() => rlSettings({ clip: 0 })).toThrow(/clip/);
    expect(rlSettings({ lr: undefined }).lr).toBe(rlSettings().lr);
  });
});

// The update's loss lives in Python (models/train/grpo.py) with the training code; its unit tests run here so that
// `npm test` covers them. They need Debian's python3-torch, which only training needs.
const python = '/usr/bin/python3';
const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!hasTorch)('GRPO loss (models/train/test_grpo.py; skipped without python3-torch, which only training needs)', () => {
  it('passes its unit tests on fixed numbers', () => {
    const r = spawnSync(python, ['-m', 'unittest', 'test_grpo'], { cwd: 'models/train', encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp' } });
    expect(r.stderr).toMatch(/Ran 7 tests[\s\S]*OK/);
    expect(r.status).toBe(0);
  }, 60_000);
});
