import { expect } from 'chai';
import { PRODUCER_TRANSACTION_TRANSITIONS } from '../../../lib/client/producer/transaction-state.js';
import {
  TRANSACTION_STATE_BYTES,
  TRANSACTION_STATE_TRANSITIONS,
  transactionStateOfByte,
} from '../../../lib/coordinator/transaction/transaction-state.js';
import { specEdges } from '../../helpers/transition-edges.js';

specEdges(TRANSACTION_STATE_TRANSITIONS);
specEdges(PRODUCER_TRANSACTION_TRANSITIONS);

const allowed = (table: typeof TRANSACTION_STATE_TRANSITIONS | typeof PRODUCER_TRANSACTION_TRANSITIONS) =>
  table
    .edges()
    .allowed.map(([from, to]) => `${from}>${to}`)
    .sort();

describe('TransactionState', () => {
  it("holds Kafka's valid previous states of the coordinator (TransactionMetadata.validPreviousStates)", () => {
    expect(allowed(TRANSACTION_STATE_TRANSITIONS)).to.deep.equal(
      [
        'Empty>Empty',
        'CompleteCommit>Empty',
        'CompleteAbort>Empty',
        'Ongoing>Ongoing',
        'Empty>Ongoing',
        'CompleteCommit>Ongoing',
        'CompleteAbort>Ongoing',
        'Ongoing>PrepareCommit',
        'Ongoing>PrepareAbort',
        'PrepareEpochFence>PrepareAbort',
        'PrepareCommit>CompleteCommit',
        'PrepareAbort>CompleteAbort',
        'Empty>Dead',
        'CompleteAbort>Dead',
        'CompleteCommit>Dead',
        'Ongoing>PrepareEpochFence',
      ].sort(),
    );
  });

  it("stores each state as Kafka's byte and reads it back", () => {
    expect(TRANSACTION_STATE_BYTES).to.deep.equal({
      Empty: 0,
      Ongoing: 1,
      PrepareCommit: 2,
      PrepareAbort: 3,
      CompleteCommit: 4,
      CompleteAbort: 5,
      Dead: 6,
      PrepareEpochFence: 7,
    });
    for (const [state, b] of Object.entries(TRANSACTION_STATE_BYTES)) expect(transactionStateOfByte(b)).to.equal(state);
    expect(transactionStateOfByte(8)).to.equal(undefined);
  });

  it("holds Kafka's client transitions (TransactionManager.State.isTransitionValid)", () => {
    const edges = allowed(PRODUCER_TRANSACTION_TRANSITIONS);
    expect(edges.filter((e) => !e.endsWith('>FatalError'))).to.deep.equal(
      [
        'Ready>Uninitialized',
        'Uninitialized>Initializing',
        'AbortingTransaction>Initializing',
        'Initializing>Ready',
        'CommittingTransaction>Ready',
        'AbortingTransaction>Ready',
        'Ready>InTransaction',
        'InTransaction>CommittingTransaction',
        'InTransaction>AbortingTransaction',
        'AbortableError>AbortingTransaction',
        'InTransaction>AbortableError',
        'CommittingTransaction>AbortableError',
        'AbortableError>AbortableError',
      ].sort(),
    );
    expect(edges.filter((e) => e.endsWith('>FatalError'))).to.have.length(8);
  });
});
