import { expect } from 'chai';
import { IllegalStateError } from '../../../lib/common/errors.js';
import {
  assertValidTransition,
  type GroupState,
  validPreviousStates,
} from '../../../lib/coordinator/group/group-state.js';

const states: GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];
const allowed = new Set([
  'PreparingRebalance>Empty',
  'Stable>PreparingRebalance',
  'CompletingRebalance>PreparingRebalance',
  'Empty>PreparingRebalance',
  'PreparingRebalance>CompletingRebalance',
  'CompletingRebalance>Stable',
  'Stable>Dead',
  'PreparingRebalance>Dead',
  'CompletingRebalance>Dead',
  'Empty>Dead',
  'Dead>Dead',
]);

describe('group-state', () => {
  describe('#assertValidTransition', () => {
    for (const from of states) {
      for (const to of states) {
        if (allowed.has(`${from}>${to}`)) {
          it(`allows ${from} → ${to}`, () => {
            expect(() => assertValidTransition('g', from, to)).not.to.throw();
          });
        } else {
          it(`forbids ${from} → ${to}`, () => {
            expect(() => assertValidTransition('g', from, to)).to.throw(
              IllegalStateError,
              `move to ${to} but is in ${from}`,
            );
          });
        }
      }
    }
    it('has exactly the expected number of allowed edges', () => {
      expect(Object.values(validPreviousStates).flat()).to.have.length(allowed.size);
    });
  });
});
