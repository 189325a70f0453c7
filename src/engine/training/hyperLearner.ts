// Adapts the meta-learned adaptation (metaHyper.ts) to the generic meta-training loop
// (meta/trainer.ts): its parameters are the seven unconstrained hyper-parameters
// (THETA_KEYS), and the sentence block's scale when it is meta-learned with the block
// (SENTENCE_THETA_KEYS).
import type { AdaptHyper } from '../learners/adaptation';
import {
  type HyperEpisode,
  type HyperMetaState,
  hyperFromTheta,
  initialMetaState,
  metaStep,
  sentenceWeightOf,
  thetaKeys,
} from './metaHyper';
import type { OptimizerState } from '../meta/learner';
import type { MetaTrainable } from '../meta/trainer';

export class HyperLearner implements MetaTrainable<HyperEpisode> {
  private state: HyperMetaState;
  readonly config: { kind: 'adaptation-hyper'; steps: number; rounds: number[]; init: AdaptHyper };

  /** With `sentenceWeight`, the procedure with the sentence block, starting at that weight (episodes must carry `Ks`). */
  constructor(init: AdaptHyper, sentenceWeight?: number) {
    this.state = initialMetaState(init, sentenceWeight);
    this.config = { kind: 'adaptation-hyper', steps: init.steps, rounds: [...init.rounds], init };
  }

  hyper(): AdaptHyper {
    return hyperFromTheta(this.state.theta, this.config);
  }

  /** The sentence block's weight relative to the word block (learners/sentenceBlock.ts); only with the block. */
  sentenceWeight(): number {
    return sentenceWeightOf(this.state.theta);
  }

  metaTrainStep(batch: HyperEpisode[], outerLr: number): { loss: number; acc: number } {
    return metaStep(this.state, batch, this.config, outerLr);
  }

  getParams(): Float32Array[] {
    return [Float32Array.from(thetaKeys(this.state), (k) => this.state.theta[k] as number)];
  }

  setParams(params: Float32Array[]): void {
    thetaKeys(this.state).forEach((k, i) => {
      this.state.theta[k] = params[0][i];
    });
  }

  paramShapes(): number[][] {
    return [[thetaKeys(this.state).length]];
  }

  getOptimizerState(): OptimizerState {
    return { step: this.state.step, m: [Float32Array.from(this.state.m)], v: [Float32Array.from(this.state.v)] };
  }

  setOptimizerState(s: OptimizerState): void {
    this.state.step = s.step;
    this.state.m = Array.from(s.m[0]);
    this.state.v = Array.from(s.v[0]);
  }
}
