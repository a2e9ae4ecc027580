import { setupServer } from 'msw/node';

/** HTTP is mocked at the network level: the generated client runs unchanged against these handlers. */
export const server = setupServer();
