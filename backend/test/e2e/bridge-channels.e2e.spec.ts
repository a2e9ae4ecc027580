import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, sdk } from '../helpers/api';
import { startApp } from '../helpers/app';
import { makeAdmin, setRole, startBridgeWorld, type BridgeWorld } from '../helpers/bridge';

describe('channels (e2e, fake Telegram and Avito)', () => {
  let w: BridgeWorld;

  beforeAll(async () => {
    w = await startBridgeWorld();
  });
  afterAll(() => w?.close());

  it('connects a Telegram bot: getMe, setWebhook with a fresh secret, 201 with the contract body and no secret', async () => {
    const bot = w.telegram.addBot({ username: 'shop_bot' });
    const res = await sdk.createChannel({ client: w.admin.client, body: { type: 'telegram', name: 'Shop bot', botToken: bot.token } });
    expect(res.response.status).toBe(201);
    expect(res.data).toEqual({
      id: expect.any(String),
      type: 'telegram',
      name: 'Shop bot',
      status: 'active',
      externalAccountId: String(bot.id),
      capabilities: { maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 172800 },
      operatorIds: [],
      ai: null,
      autoAssign: false,
      operatorAlerts: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(bot.webhook?.url).toBe(`${w.app.config.bridge.publicUrl}/api/v1/webhooks/telegram/${res.data!.id}`);
    expect(bot.webhook?.secretToken).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    const body = JSON.stringify(res.data);
    expect(body).not.toContain(bot.token);
    expect(body).not.toContain(bot.webhook!.secretToken!);
  });

  it('connects an Avito account: token, accounts/self, subscribes a URL with a 128-bit path secret', async () => {
    const account = w.avito.addAccount({ name: 'Cars' });
    const res = await sdk.createChannel({ client: w.admin.client, body: { type: 'avito', name: 'Avito cars', clientId: account.clientId, clientSecret: account.clientSecret } });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({
      type: 'avito',
      status: 'active',
      externalAccountId: String(account.userId),
      capabilities: { maxTextLength: 1000, attachments: 'images', canEdit: false, deleteWindowSeconds: 3600 },
    });
    expect(account.webhooks).toHaveLength(1);
    const secret = account.webhooks[0].split('/').pop()!;
    expect(account.webhooks[0]).toBe(`${w.app.config.bridge.publicUrl}/api/v1/webhooks/avito/${res.data!.id}/${secret}`);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(16);
    const all = JSON.stringify((await sdk.listChannels({ client: w.admin.client, throwOnError: true })).data);
    expect(all).not.toContain(account.clientSecret);
    expect(all).not.toContain(secret);
  });

  it('refuses bad credentials with 422 naming the field, and stores nothing', async () => {
    const before = (await sdk.listChannels({ client: w.admin.client, throwOnError: true })).data.items.length;
    const tg = await sdk.createChannel({ client: w.admin.client, body: { type: 'telegram', name: 'Bad', botToken: '123:nope' } });
    expect(tg.response.status).toBe(422);
    expect(tg.error).toMatchObject({ code: 'UNPROCESSABLE', fields: ['botToken'] });

    const account = w.avito.addAccount();
    const badId = await sdk.createChannel({ client: w.admin.client, body: { type: 'avito', name: 'Bad', clientId: 'unknown', clientSecret: account.clientSecret } });
    expect(badId.response.status).toBe(422);
    expect(badId.error).toMatchObject({ fields: ['clientId'] });
    const badSecret = await sdk.createChannel({ client: w.admin.client, body: { type: 'avito', name: 'Bad', clientId: account.clientId, clientSecret: 'wrong' } });
    expect(badSecret.response.status).toBe(422);
    expect(badSecret.error).toMatchObject({ fields: ['clientSecret'] });

    const missing = await sdk.createChannel({ client: w.admin.client, body: { type: 'telegram', name: 'No token' } });
    expect(missing.response.status).toBe(400);
    expect(JSON.stringify(missing.error)).toContain('botToken');
    expect((await sdk.listChannels({ client: w.admin.client, throwOnError: true })).data.items.length).toBe(before);
  });

  it('only admins create, rename, delete, set operators and sync; operators see their channels, others get 404', async () => {
    const bot = w.telegram.addBot();
    const channel = (await sdk.createChannel({ client: w.admin.client, body: { type: 'telegram', name: 'Support', botToken: bot.token }, throwOnError: true })).data;
    const operator = await setRole(w.app, await registerUser(w.app.url), 'operator');
    const stranger = await registerUser(w.app.url);

    expect((await sdk.createChannel({ client: operator.client, body: { type: 'telegram', name: 'x', botToken: bot.token } })).response.status).toBe(403);
    expect((await sdk.getChannel({ client: operator.client, path: { id: channel.id } })).response.status).toBe(404);

    const set = await sdk.setChannelOperators({ client: w.admin.client, path: { id: channel.id }, body: { userIds: [operator.id] } });
    expect(set.data?.operatorIds).toEqual([operator.id]);
    expect((await sdk.getChannel({ client: operator.client, path: { id: channel.id } })).data?.name).toBe('Support');
    expect((await sdk.listChannels({ client: operator.client, throwOnError: true })).data.items.map((c) => c.id)).toEqual([channel.id]);
    expect((await sdk.getChannel({ client: stranger.client, path: { id: channel.id } })).response.status).toBe(404);
    expect((await sdk.listChannels({ client: stranger.client, throwOnError: true })).data.items).toEqual([]);
    expect((await sdk.updateChannel({ client: operator.client, path: { id: channel.id }, body: { name: 'Mine' } })).response.status).toBe(403);

    const renamed = await sdk.updateChannel({ client: w.admin.client, path: { id: channel.id }, body: { name: 'Support desk' } });
    expect(renamed.data?.name).toBe('Support desk');

    // New credentials are checked again and the webhook registered again with the new bot.
    const newBot = w.telegram.addBot();
    expect((await sdk.updateChannel({ client: w.admin.client, path: { id: channel.id }, body: { botToken: 'bad:token' } })).response.status).toBe(422);
    const moved = await sdk.updateChannel({ client: w.admin.client, path: { id: channel.id }, body: { botToken: newBot.token } });
    expect(moved.data?.externalAccountId).toBe(String(newBot.id));
    expect(newBot.webhook?.url).toContain(channel.id);

    const sync = await sdk.syncChannel({ client: w.admin.client, path: { id: channel.id } });
    expect(sync.response.status).toBe(202);

    expect((await sdk.deleteChannel({ client: w.admin.client, path: { id: channel.id } })).response.status).toBe(204);
    expect(newBot.webhook).toBeNull();
    expect((await sdk.getChannel({ client: w.admin.client, path: { id: channel.id } })).response.status).toBe(404);
  });
});

describe('channels without PUBLIC_URL (e2e)', () => {
  it('refuses to create a channel with 422 naming PUBLIC_URL', async () => {
    const app = await startApp({});
    try {
      const admin = await makeAdmin(app, await registerUser(app.url));
      const res = await sdk.createChannel({ client: admin.client, body: { type: 'telegram', name: 'x', botToken: '1:abc' } });
      expect(res.response.status).toBe(422);
      expect(res.error).toMatchObject({ fields: ['PUBLIC_URL'] });
      expect(res.error?.message).toContain('PUBLIC_URL');
    } finally {
      await app.close();
    }
  });
});
