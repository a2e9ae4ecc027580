import { defineConfig } from '@hey-api/openapi-ts';

export default defineConfig({
  input: './openapi.json',
  // OPENAPI_TS_OUTPUT lets the freshness check generate into a scratch folder and compare.
  output: { path: process.env.OPENAPI_TS_OUTPUT ?? './src/client' },
  // `@hey-api/schemas` exports the spec's JSON Schemas, so the SPA reads limits (a body's maxLength) from them.
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/schemas', { name: '@hey-api/sdk' }, '@tanstack/react-query'],
});
