import { defineConfig } from 'vite';

// The gateway serves the built page at /dashboard (gateway/src/dashboard.ts), so every
// asset URL is prefixed with it. `npm run dev:dashboard` serves the sources with hot
// reload and forwards /graphql (HTTP and WebSocket) and the traffic endpoint to a gateway on
// localhost:4000.
export default defineConfig({
  base: '/dashboard/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true }, '/dashboard/api': { target: 'http://localhost:4000' } } },
});
