import { createClient, createConfig, type Client } from '@messenger/api-client/client';
import * as sdk from '@messenger/api-client';
import { randomBytes } from 'node:crypto';

export { sdk };

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** A generated-client instance that sends this user's bearer token. */
  client: Client;
}

export const anonymous = (baseUrl: string): Client => createClient(createConfig({ baseUrl }));

export const authed = (baseUrl: string, token: string): Client =>
  createClient(createConfig({ baseUrl, headers: { Authorization: `Bearer ${token}` } }));

export const uniq = (prefix = 'u') => `${prefix}${randomBytes(5).toString('hex')}`;

/** Registers a fresh user through the public API, as a person would. */
export async function registerUser(baseUrl: string, overrides: Partial<{ username: string; displayName: string }> = {}): Promise<TestUser> {
  const username = overrides.username ?? uniq();
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${username}@example.test`;
  const res = await sdk.register({
    client: anonymous(baseUrl),
    body: { email, username, password, displayName: overrides.displayName ?? `User ${username}` },
    throwOnError: true,
  });
  const { user, accessToken, refreshToken } = res.data;
  return { id: user.id, email, username, password, accessToken, refreshToken, client: authed(baseUrl, accessToken) };
}

/** POST messages answers the stored message, or with sendAt a scheduled one: this narrows to the former or fails. */
export function sentNow(data: sdk.SendMessageResponse | undefined): sdk.MessageResponseDto {
  if (!data || !('seq' in data)) throw new Error(`expected a sent message, got ${JSON.stringify(data)}`);
  return data;
}
