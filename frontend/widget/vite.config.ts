import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** widget.js: one self-contained IIFE for other sites' pages (no React, no CSS file, no chunks). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    target: 'es2020',
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    lib: { entry: fileURLToPath(new URL('./src/main.ts', import.meta.url)), name: 'MessengerWidget', formats: ['iife'], fileName: () => 'widget.js' },
  },
});
