/**
 * One spec per allowed and per forbidden edge of a state machine's TransitionTable, generated from the table the
 * state machine itself uses (lib/common/transition-table.ts).
 */
import { expect } from 'chai';
import { IllegalStateError } from '../../lib/common/errors.js';
import type { TransitionTable } from '../../lib/common/transition-table.js';

export function specEdges<S extends string>(table: TransitionTable<S>): void {
  describe(table.name, () => {
    describe('#assertValidTransition', () => {
      const { allowed, forbidden } = table.edges();
      for (const [from, to] of allowed) {
        it(`allows ${from} → ${to}`, () => {
          expect(table.isValid(from, to)).to.equal(true);
          expect(() => table.assertValidTransition('t-0', from, to)).not.to.throw();
        });
      }
      for (const [from, to] of forbidden) {
        it(`forbids ${from} → ${to}`, () => {
          expect(table.isValid(from, to)).to.equal(false);
          expect(() => table.assertValidTransition('t-0', from, to)).to.throw(
            IllegalStateError,
            new RegExp(`t-0 cannot move from ${from} to ${to}`),
          );
        });
      }
    });
  });
}
