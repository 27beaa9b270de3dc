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
    // lib/console/web is browser code, type-checked against its own tsconfig (DOM, JSX).
    files: ['lib/**/*.ts', 'lib/**/*.tsx', 'spec/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // API handlers and test doubles keep one Promise-returning signature whether or not a given one awaits.
      '@typescript-eslint/require-await': 'off',
      // Numbers read off the wire are compared against numeric enums exactly in order to validate them.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Specs read JSON documents (znodes, tool output) whose shape is the thing under test.
    files: ['spec/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  prettier,
);
