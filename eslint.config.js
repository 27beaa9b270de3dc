// Code rules (`npm run lint`, which `npm test` runs first): typescript-eslint's type-aware set, with floating and
// misused promises as errors because an unhandled rejection in a broker is a lost acknowledgement or a hung request.
// The architecture (layers and import cycles) is checked by dependency-cruiser (.dependency-cruiser.cjs);
// formatting by Prettier (.prettierrc.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bin/**', 'docker/**', 'zk/**'] },
  {
    files: ['lib/**/*.ts', 'spec/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  prettier,
);
