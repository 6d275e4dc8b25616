import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'build/**', '.svelte-kit/**'],
    environment: 'node',
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Passwords hash at scrypt N = 2^14 in tests (production: 2^17, auth/passwords.ts): the same code, less memory.
    env: { TZ: 'Asia/Tokyo', ARLENS_SCRYPT_LOG_N: '14' },
  },
});
