/**
 * The architecture rules are a tool's configuration (.dependency-cruiser.cjs, run by `npm run lint`), so this spec
 * checks the tool rather than the tree: a planted import cycle (type-only, the kind the compiler never sees) and a
 * planted import up the layer table each make it fail with the rule's name, and every folder of lib/ has its row.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

/** The repository root: this file runs from dist/spec/unit/architecture. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** Writes `files` (path → source) into a fresh tree with a tsconfig, runs the project's rules over its lib/. */
async function cruise(files: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mq-depcruise-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    try {
      const { stdout } = await promisify(execFile)(DEPCRUISE, ['lib', '--config', CONFIG], { cwd: dir });
      return { exitCode: 0, output: stdout };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { exitCode: err.code ?? -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('architecture rules (.dependency-cruiser.cjs)', function () {
  this.timeout(60_000);
  let clean: { exitCode: number; output: string };
  let planted: { exitCode: number; output: string };

  // Two runs of the tool: a tree that keeps the rules, and one with three violations planted side by side.
  before(async () => {
    const common = { 'lib/common/a.ts': 'export interface A { n: number }\n' };
    [clean, planted] = await Promise.all([
      cruise({
        ...common,
        'lib/log/b.ts': "import type { A } from '../common/a.js';\nexport const b = (a: A): number => a.n;\n",
      }),
      cruise({
        ...common,
        // A cycle made of type-only imports, the kind the compiler never sees.
        'lib/log/x.ts': "import type { Y } from './y.js';\nexport interface X { y?: Y }\n",
        'lib/log/y.ts': "import type { X } from './x.js';\nexport interface Y { x?: X }\n",
        // An import up the layer table.
        'lib/broker/broker.ts': 'export const brokerId = 1;\n',
        'lib/log/segment.ts': "import { brokerId } from '../broker/broker.js';\nexport const owner = brokerId;\n",
        // A folder that has no row in the table.
        'lib/gadgets/g.ts': "import type { A } from '../common/a.js';\nexport type G = A;\n",
      }),
    ]);
  });

  it('passes a tree that keeps the rules', () => {
    expect(clean.output).to.match(/no dependency violations/);
    expect(clean.exitCode).to.equal(0);
  });

  it('fails the planted tree', () => {
    expect(planted.exitCode).to.not.equal(0);
  });

  it('names an import cycle made of type-only imports', () => {
    expect(planted.output).to.match(/no-cycle: lib\/log\/(x|y)\.ts/);
  });

  it('names an import up the layer table', () => {
    expect(planted.output).to.match(/layer-log: lib\/log\/segment\.ts → lib\/broker\/broker\.ts/);
  });

  it('names a folder of lib/ that has no row in the layer table', () => {
    expect(planted.output).to.match(/unknown-area: lib\/gadgets\/g\.ts/);
  });

  it('has a layer rule for every folder of lib/', () => {
    const require = createRequire(import.meta.url);
    const rules = (require(CONFIG) as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);
    const areas = readdirSync(join(ROOT, 'lib'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(areas.filter((a) => !rules.includes(`layer-${a}`))).to.deep.equal([]);
  });
});
