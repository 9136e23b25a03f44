import type { ChaosStack } from './chaos-stack.ts';
import type { LoadGenerator } from './load.ts';
import type { Random } from './random.ts';

/** A poison message the harness published, and what its dead-letter entry must say. */
export interface InjectedPoison {
  messageId: string;
  queue: string;
  variant: string;
  reason: RegExp;
}

export interface FaultContext {
  chaos: ChaosStack;
  load: LoadGenerator;
  random: Random;
  poison: InjectedPoison[];
  note: (line: string) => void;
}
