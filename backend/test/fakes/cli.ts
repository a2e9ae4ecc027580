/**
 * `pnpm fake:telegram | fake:avito | fake:llm`: one fake provider on a fixed port with a seeded bot or account,
 * for trying the product by hand. Prints what to set and how to play the customer; logs every call it receives.
 */
import { startFakeAvito } from './avito';
import { startFakeLlm } from './llm';
import { startFakeTelegram } from './telegram';

const host = process.env.FAKE_HOST ?? '127.0.0.1';
const port = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return value;
};
const short = (value: unknown, max = 80) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '' : text.length > max ? `${text.slice(0, max)}…` : text;
};
const time = () => new Date().toISOString().slice(11, 19);

async function telegram() {
  const fake = await startFakeTelegram({
    port: port('FAKE_TELEGRAM_PORT', 8081),
    host,
    onCall: (bot, call) => {
      const { chat_id: chatId, text, caption, url } = call.params;
      const details = [chatId !== undefined ? `chat_id=${String(chatId)}` : '', text ? `text=${short(text)}` : '', caption ? `caption=${short(caption)}` : '', url ? `url=${String(url)}` : '']
        .concat(call.files.map((file) => `${file.field}=${file.name} (${file.size} B)`))
        .filter(Boolean)
        .join(' ');
      console.log(`${time()} @${bot.username} ${call.method} ${details}`);
    },
  });
  const bot = fake.addBot({
    token: process.env.FAKE_TELEGRAM_TOKEN ?? '1234567890:AAFakeTokenForTryingTheBridge_local',
    username: process.env.FAKE_TELEGRAM_USERNAME ?? 'shop_fake_bot',
    firstName: 'Shop (fake)',
  });
  const control = `${fake.url}/_fake/bots/${bot.token}`;
  console.log(`Fake Telegram Bot API listening on ${fake.url}

Run the app against it:
  TELEGRAM_API_URL=${fake.url} PUBLIC_URL=http://127.0.0.1:3000 pnpm start
Create a channel (as an admin) with the seeded bot:
  {"type":"telegram","name":"Shop bot","botToken":"${bot.token}"}   (@${bot.username})

Play the customer once the channel has set its webhook (kinds: text photo document voice audio video sticker):
  curl -s -X POST ${control}/updates -H 'content-type: application/json' -d '{"kind":"text","text":"Hello, is it in stock?"}'
  curl -s -X POST ${control}/updates -H 'content-type: application/json' -d '{"kind":"photo","caption":"this one","from":{"id":5550002,"firstName":"Olga"}}'
What the bot did (calls, sends, webhook):
  curl -s ${control}
Make Telegram misbehave (rate-limit, blocked, deactivated, chat-not-found, server-error, hang-after-accept, refuse-connection):
  curl -s -X POST ${control}/fault -H 'content-type: application/json' -d '{"method":"sendMessage","fault":{"kind":"rate-limit","retryAfter":10},"times":1}'
More bots: curl -s -X POST ${fake.url}/_fake/bots -H 'content-type: application/json' -d '{"username":"second_bot"}'
`);
  return fake;
}

async function avito() {
  const fake = await startFakeAvito({
    port: port('FAKE_AVITO_PORT', 8082),
    host,
    onCall: (account, call) => {
      const body = call.body as Record<string, unknown> | undefined;
      const text = (body?.message as { text?: unknown } | undefined)?.text;
      console.log(`${time()} account ${account.userId} ${call.method} ${call.path}${text ? ` text=${short(text)}` : ''}`);
    },
  });
  const account = fake.addAccount({
    clientId: process.env.FAKE_AVITO_CLIENT_ID ?? 'fake-avito-client-id',
    clientSecret: process.env.FAKE_AVITO_CLIENT_SECRET ?? 'fake-avito-client-secret',
    userId: Number(process.env.FAKE_AVITO_USER_ID ?? 94235311),
    name: 'Шоурум (fake)',
  });
  account.echoes(true);
  const chatId = account.addChat({
    chatId: 'u2i-demo-chat',
    customerId: 555000111,
    customerName: 'Мария',
    item: { id: 1768287444, title: 'Mazda 3 2008', price: '300 000 ₽', url: 'https://www.avito.ru/moskva/avtomobili/mazda_3_2008_1768287444' },
  });
  const control = `${fake.url}/_fake/accounts/${account.userId}`;
  console.log(`Fake Avito API listening on ${fake.url}

Run the app against it:
  AVITO_API_URL=${fake.url} PUBLIC_URL=http://127.0.0.1:3000 pnpm start
Create a channel (as an admin) with the seeded account (user_id ${account.userId}; echoes of own sends are on):
  {"type":"avito","name":"Avito showroom","clientId":"${account.clientId}","clientSecret":"${account.clientSecret}"}

Play the customer in the seeded chat ${chatId} (an item chat "Mazda 3 2008"), once the channel subscribed its webhook:
  curl -s -X POST ${control}/chats/${chatId}/messages -H 'content-type: application/json' -d '{"text":"Здравствуйте, ещё продаёте?"}'
  curl -s -X POST ${control}/chats/${chatId}/messages -H 'content-type: application/json' -d '{"type":"image"}'
A message the webhook misses (reconciliation should find it):
  curl -s -X POST ${control}/chats/${chatId}/messages -H 'content-type: application/json' -d '{"text":"missed","deliver":false}'
A new customer and chat:
  curl -s -X POST ${control}/chats -H 'content-type: application/json' -d '{"customerName":"Пётр"}'
What the account did (calls, sends, webhooks, deliveries):
  curl -s ${control}
Make Avito misbehave (rate-limit, server-error, error, hang-after-accept, refuse-connection; expired tokens):
  curl -s -X POST ${control}/fault -H 'content-type: application/json' -d '{"path":"send","fault":{"kind":"rate-limit","retryAfter":10},"times":1}'
  curl -s -X POST ${control}/expire-tokens -H 'content-type: application/json' -d '{"status":403}'
`);
  return fake;
}

async function llm() {
  const delay = Number(process.env.FAKE_LLM_DELAY_MS ?? 0);
  const fake = await startFakeLlm({
    port: port('FAKE_LLM_PORT', 8083),
    host,
    apiKey: process.env.FAKE_LLM_API_KEY,
    onRequest: (record) => {
      const messages = (record.body.messages as Array<{ role: string; content: unknown }> | undefined) ?? [];
      const last = messages[messages.length - 1];
      console.log(`${time()} ${String(record.body.model)} ${record.stream ? 'stream ' : ''}${messages.length} messages, last ${last?.role}: ${short(last?.content)}`);
    },
  });
  if (delay > 0) fake.defaultReply({ text: 'Здравствуйте! Чем могу помочь?', delayMs: delay });
  const base = fake.url.replace(/\/v1$/, '');
  console.log(`Fake OpenAI-compatible LLM listening on ${fake.url}

Point the app at it:
  AI_BASE_URL=${fake.url} AI_API_KEY=${process.env.FAKE_LLM_API_KEY ?? 'any-key'}
Every request without a scripted reply gets "Fake answer to: <last user message>"${delay > 0 ? ` after ${delay} ms` : ''}.
Script the next replies (text, a tool call, a delay, an HTTP error):
  curl -s -X POST ${base}/_fake/script -H 'content-type: application/json' -d '{"text":"Доставка завтра.","delayMs":500}'
  curl -s -X POST ${base}/_fake/script -H 'content-type: application/json' -d '{"toolCall":{"name":"handoff_to_human","arguments":{"reason":"asked for a person"}}}'
  curl -s -X POST ${base}/_fake/script -H 'content-type: application/json' -d '{"status":503}'
Switches for every request (0 / null turns them off):
  curl -s -X POST ${base}/_fake/delay -H 'content-type: application/json' -d '{"ms":1000}'
  curl -s -X POST ${base}/_fake/fail -H 'content-type: application/json' -d '{"status":500}'
What it was asked:
  curl -s ${base}/_fake/requests
`);
  return fake;
}

async function main() {
  const which = process.argv[2];
  const starters: Record<string, () => Promise<{ close(): Promise<void> }>> = { telegram, avito, llm };
  const start = which ? starters[which] : undefined;
  if (!start) {
    console.error('usage: cli.ts telegram|avito|llm');
    process.exit(2);
  }
  const fake = await start();
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `port in use: ${(error as Error).message} (set FAKE_TELEGRAM_PORT / FAKE_AVITO_PORT / FAKE_LLM_PORT)` : error);
  process.exit(1);
});
