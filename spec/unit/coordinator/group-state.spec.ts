import { expect } from 'chai';
import { IllegalStateError } from '../../../lib/common/errors.js';
import { GROUP_STATE_TRANSITIONS, type GroupState } from '../../../lib/coordinator/group/group-state.js';

const states: GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];
// Kafka's GroupMetadata.validPreviousStates, written out edge by edge as a second statement of the table.
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
            expect(() => GROUP_STATE_TRANSITIONS.assertValidTransition('group g', from, to)).not.to.throw();
          });
        } else {
          it(`forbids ${from} → ${to}`, () => {
            expect(() => GROUP_STATE_TRANSITIONS.assertValidTransition('group g', from, to)).to.throw(
              IllegalStateError,
              `group g cannot move from ${from} to ${to}`,
            );
          });
        }
      }
    }
    it('has exactly the expected number of allowed edges', () => {
      expect(GROUP_STATE_TRANSITIONS.edges().allowed).to.have.length(allowed.size);
    });
  });
});
