import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '@/app';
import { buildConfig, parseEnv } from '@/core/config';
import { resolveServices, type ResolvedServices } from '@/core/embedded';
import { anonymous, registerUser, sdk } from '../helpers/api';
import { TEST_JWT_SECRET } from '../helpers/app';
import { expectError } from '../helpers/expect-error';

/**
 * The same app as `pnpm start` without DATABASE_URL, built from the sources: PGlite over its one-connection
 * socket server, pool of one. Catches driver-level surprises there without waiting for a rebuilt dist.
 */
describe('the app on embedded PostgreSQL (PGlite), in process', () => {
  let dataDir: string;
  let services: ResolvedServices;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'msg-pglite-inproc-'));
    const s3 = inject('s3');
    const env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `pgl${Date.now()}`,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      SHUTDOWN_GRACE_MS: '500',
    });
    services = await resolveServices(env, () => undefined);
    expect(services.embeddedDatabase).toBe(true);
    app = await createApp(buildConfig(env, services));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps serving after a statement fails: a repeated clientId, a taken username, then more sends', async () => {
    const alice = await registerUser(url);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'pg', memberIds: [] }, throwOnError: true })).data.id;
    const send = (clientId: string) => sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId, body: clientId } });

    const statuses = [];
    for (const clientId of ['a', 'a', 'b', 'a', 'c', 'b']) statuses.push((await send(clientId)).response.status);
    expect(statuses).toEqual([201, 200, 201, 200, 201, 200]);

    const taken = { email: `x${alice.email}`, username: alice.username, password: 'long-enough-1' };
    await expectError(sdk.register({ client: anonymous(url), body: taken }), 409);

    const items = (await sdk.listMessages({ client: alice.client, path: { chatId }, throwOnError: true })).data.items;
    expect(items.map((m) => `${m.seq}:${m.clientId}`)).toEqual(['3:c', '2:b', '1:a']);
  });

  it('assigns gapless seqs to parallel sends through the single connection', async () => {
    const [alice, bob] = await Promise.all([registerUser(url), registerUser(url)]);
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'p', memberIds: [bob.id] }, throwOnError: true })).data.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sdk.sendMessage({ client: (i % 2 ? alice : bob).client, path: { chatId }, body: { clientId: `p${i % 15}`, body: 'x' } }),
      ),
    );
    expect(results.every((r) => r.response.status < 300)).toBe(true);
    const seqs = (await sdk.listMessages({ client: bob.client, path: { chatId }, throwOnError: true })).data.items.map((m) => m.seq);
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('searches with Russian and English stemming, prefixes and the trigram fallback on PGlite too', async () => {
    const alice = await registerUser(url, { displayName: 'Александр Тестов' });
    const chatId = (await sdk.createChat({ client: alice.client, body: { type: 'group', title: 'Склад', memberIds: [] }, throwOnError: true })).data.id;
    for (const body of ['Ваш заказ готов', 'Your order has shipped', 'Доставка завтра', 'Адрес: Новосибирск']) {
      await sdk.sendMessage({ client: alice.client, path: { chatId }, body: { clientId: randomUUID(), body }, throwOnError: true });
    }
    const found = async (q: string) => (await sdk.searchMessages({ client: alice.client, query: { q }, throwOnError: true })).data.items.map((h) => h.message.body);
    expect(await found('заказы')).toEqual(['Ваш заказ готов']);
    expect(await found('orders')).toEqual(['Your order has shipped']);
    expect(await found('достав*')).toEqual(['Доставка завтра']);
    expect(await found('Навосибирск')).toEqual(['Адрес: Новосибирск']);
    const people = await sdk.searchUsers({ client: alice.client, query: { q: 'Алекс' }, throwOnError: true });
    expect(people.data.items.map((u) => u.id)).toContain(alice.id);
  });
});
