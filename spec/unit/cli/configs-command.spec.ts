import { expect } from 'chai';
import { alterOperations, configJson, configLine, parseAddConfig } from '../../../lib/cli/admin/configs-command.js';

describe('mq-admin configs (pure parts)', () => {
  it('parses --add-config with square brackets grouping list values', () => {
    expect(parseAddConfig('retention.ms=1000,cleanup.policy=[compact,delete],x=')).to.deep.equal({
      'retention.ms': '1000',
      'cleanup.policy': 'compact,delete',
      x: '',
    });
    expect(() => parseAddConfig('a=[1,2')).to.throw(/unbalanced '\['/);
    expect(() => parseAddConfig('novalue')).to.throw(/not name=value/);
  });

  it('turns additions and deletions into SET and DELETE operations, refusing to delete what is not overridden', () => {
    expect(alterOperations({ a: '1', b: '2' }, { b: '3', c: '4' }, ['a'])).to.deep.equal([
      { name: 'b', op: 'SET', value: '3' },
      { name: 'c', op: 'SET', value: '4' },
      { name: 'a', op: 'DELETE' },
    ]);
    expect(() => alterOperations({ a: '1' }, {}, ['z'])).to.throw(/Invalid config\(s\): z/);
  });

  it('prints an entry as kafka-configs does, hiding sensitive values', () => {
    expect(
      configLine({
        name: 'retention.ms',
        value: '5',
        source: 'DYNAMIC_TOPIC_CONFIG',
        isReadOnly: false,
        isSensitive: false,
        synonyms: [
          { name: 'retention.ms', value: '5', source: 'DYNAMIC_TOPIC_CONFIG' },
          { name: 'log.retention.ms', value: null, source: 'DEFAULT_CONFIG' },
        ],
      }),
    ).to.equal(
      '  retention.ms=5 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=5, DEFAULT_CONFIG:log.retention.ms=null}\n',
    );
    expect(
      configLine({
        name: 'p',
        value: 'secret',
        source: 'DYNAMIC_BROKER_CONFIG',
        isReadOnly: false,
        isSensitive: true,
        synonyms: [],
      }),
    ).to.equal('  p=null sensitive=true synonyms={}\n');
    expect(
      configJson({
        name: 'p',
        value: 'secret',
        source: 'DYNAMIC_BROKER_CONFIG',
        isReadOnly: true,
        isSensitive: true,
        synonyms: [{ name: 'p', value: 'secret', source: 'DYNAMIC_BROKER_CONFIG' }],
      }),
    ).to.deep.equal({
      name: 'p',
      value: null,
      source: 'DYNAMIC_BROKER_CONFIG',
      sensitive: true,
      readOnly: true,
      synonyms: [{ name: 'p', value: null, source: 'DYNAMIC_BROKER_CONFIG' }],
    });
  });
});
