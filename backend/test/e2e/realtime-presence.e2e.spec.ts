import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceService } from '@/services/presence.service';
import { anonymous, authed, registerUser, sdk } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';
import { closeAllSockets, connect, Inbox } from '../helpers/socket';

/** Presence when an instance dies without saying goodbye (crash, kill -9, lost network). */
describe('presence across instance failure (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const shared = { REDIS_PREFIX: `presence${randomBytes(4).toString('hex')}`, PRESENCE_HEARTBEAT_MS: '200' };
    [a, b] = await Promise.all([startApp(shared), startApp(shared)]);
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('turns the users of an instance that stopped beating offline, and back online when it returns', async () => {
    const alice = await registerUser(a.url);
    const bob = await registerUser(a.url);
    const stranger = await registerUser(a.url);
    await sdk.createChat({ client: bob.client, body: { type: 'direct', userId: alice.id }, throwOnError: true });
    const aliceInbox = new Inbox(await connect(a.url, alice.accessToken));
    const strangerInbox = new Inbox(await connect(a.url, stranger.accessToken));

    await connect(b.url, bob.accessToken);
    await aliceInbox.waitFor('presence', (p) => p.userId === bob.id && p.online === true);

    // B stops beating as if frozen or cut off; its socket to bob is still open, but nobody can know that.
    const presenceOnB = b.app.get(PresenceService);
    presenceOnB.onApplicationShutdown();
    const [down] = await aliceInbox.waitFor<{ userId: string; online: boolean; lastSeenAt: string }>('presence', (p) => p.userId === bob.id && p.online === false, 1, 5000);
    expect(Date.now() - new Date(down.lastSeenAt).getTime()).toBeLessThan(5000);
    const looked = await sdk.getPresence({ client: authed(a.url, alice.accessToken), query: { ids: [bob.id] }, throwOnError: true });
    expect(looked.data.items).toEqual([{ userId: bob.id, online: false, lastSeenAt: down.lastSeenAt }]);

    // B comes back: its next beat finds itself reaped and counts its sockets again.
    await presenceOnB.onApplicationBootstrap();
    await aliceInbox.waitFor('presence', (p) => p.userId === bob.id && p.online === true, 2);
    const again = await sdk.getPresence({ client: alice.client, query: { ids: [bob.id] }, throwOnError: true });
    expect(again.data.items[0].online).toBe(true);
    expect(strangerInbox.of('presence').filter((p) => p.userId === bob.id)).toEqual([]);
  });

  it('answers presence only for yourself and people you share a chat with', async () => {
    const alice = await registerUser(a.url);
    const bob = await registerUser(a.url);
    const stranger = await registerUser(a.url);
    await sdk.createChat({ client: bob.client, body: { type: 'direct', userId: alice.id }, throwOnError: true });
    await connect(b.url, stranger.accessToken);
    await connect(a.url, alice.accessToken);

    const res = await sdk.getPresence({ client: alice.client, query: { ids: [alice.id, bob.id, stranger.id] }, throwOnError: true });
    expect(res.data.items.map((p) => p.userId).sort()).toEqual([alice.id, bob.id].sort());
    expect(res.data.items.find((p) => p.userId === bob.id)).toEqual({ userId: bob.id, online: false, lastSeenAt: null });

    for (const ids of [[], ['not-a-uuid'], Array.from({ length: 201 }, () => bob.id)]) {
      const bad = await sdk.getPresence({ client: alice.client, query: { ids } });
      expect(bad.response.status, JSON.stringify(ids).slice(0, 40)).toBe(400);
      expect(bad.error).toMatchObject({ fields: ['ids'] });
    }
    const unauthenticated = await sdk.getPresence({ client: anonymous(a.url), query: { ids: [bob.id] } });
    expect(unauthenticated.response.status).toBe(401);
  });
});
