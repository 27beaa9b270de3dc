// The architecture as a tool (`npm run lint`): the layer table of docs/ARCHITECTURE.md ("Layers") and no import
// cycles, type-only imports included (a type that two files need belongs below both of them).
// spec/unit/architecture/dependency-rules.spec.ts plants a cycle and a layer violation and sees this config fail.

/** Area of lib/ → the areas it may import. Dependencies point downward; the client never imports broker code. */
const LAYERS = {
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
  console: ['common', 'protocol', 'record', 'zk', 'client'],
  cli: ['common', 'protocol', 'record', 'log', 'zk', 'network', 'client', 'bench', 'console'],
};

const areas = Object.keys(LAYERS);

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment:
        'Import cycles, type-only ones too: move the shared types to the lower of the two modules or below both.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    ...areas.map((area) => ({
      name: `layer-${area}`,
      comment: `lib/${area} may import only ${['itself', ...LAYERS[area].map((a) => `lib/${a}`)].join(', ')}.`,
      severity: 'error',
      from: { path: `^lib/${area}/` },
      to: { path: '^(lib|spec)/', pathNot: [`^lib/${area}/`, ...LAYERS[area].map((a) => `^lib/${a}/`)] },
    })),
    {
      name: 'unknown-area',
      comment: 'Every folder of lib/ has a row in the layer table of .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^lib/', pathNot: areas.map((a) => `^lib/${a}/`) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
