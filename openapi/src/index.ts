export * from './client';
export { client } from './client/client.gen';
