export * from './client';
export { client } from './client/client.gen';
export * from './client/schemas.gen';
