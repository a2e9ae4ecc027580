import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { configureApiClient } from '@/lib/api-client';
import { useSession } from '@/lib/session';
import { server } from './server';

configureApiClient('http://localhost');

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  useSession.setState({ status: 'restoring', user: null, accessToken: null });
});
afterAll(() => server.close());
