/**
 * The layering of lib/ (docs/ARCHITECTURE.md "Layers"), checked on the sources: every relative import of a file in
 * lib/<area>/ must land in its own area or in one the table allows. A new area must be added here with its place.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import { checkoutRoot } from '../../../lib/cli/local-cluster.js';

const LIB = join(checkoutRoot(), 'lib');

/** Area → the areas it may import. Dependencies point downward; the client never reaches into broker internals. */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  record: ['common'],
  log: ['common', 'record'],
  zk: ['common'],
  network: ['common', 'protocol'],
  replication: ['common', 'protocol', 'record', 'log', 'zk', 'network'],
  controller: ['common', 'protocol', 'record', 'log', 'zk', 'network', 'replication'],
  coordinator: ['common', 'protocol', 'record', 'log', 'zk', 'network', 'replication'],
  broker: ['common', 'protocol', 'record', 'log', 'zk', 'network', 'replication', 'controller', 'coordinator'],
  client: ['common', 'protocol', 'record', 'network'],
  bench: ['common', 'protocol', 'record', 'log', 'network', 'client'],
  cli: ['common', 'protocol', 'record', 'log', 'zk', 'network', 'client', 'bench'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const areaOf = (file: string): string => relative(LIB, file).split('/')[0]!;

describe('lib/ layering', () => {
  it('knows every area of lib/', () => {
    const areas = readdirSync(LIB, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(
      areas.filter((a) => !(a in ALLOWED)),
      'areas missing from the layer table',
    ).to.deep.equal([]);
  });

  it('has every relative import point to the same area or an allowed lower one', () => {
    const violations: string[] = [];
    for (const file of sources(LIB)) {
      const from = areaOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = resolve(dirname(file), m[1]!);
        const to = relative(LIB, target).startsWith('..') ? '(outside lib)' : areaOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to))
          violations.push(`${relative(LIB, file)} imports ${m[1]} (${from} → ${to})`);
      }
    }
    expect(violations).to.deep.equal([]);
  });
});
