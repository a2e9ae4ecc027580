import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  input: './openapi.json',
  // OPENAPI_TS_OUTPUT lets the freshness check generate into a scratch folder and compare.
  output: { path: process.env.OPENAPI_TS_OUTPUT ?? './src/client' },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', { name: '@hey-api/sdk' }, '@tanstack/react-query'],
});
