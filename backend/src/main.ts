import 'reflect-metadata';
import { createApp } from '@/app';
import { buildConfig, ConfigError, parseEnv } from '@/core/config';
import { resolveServices } from '@/core/embedded';

const say = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);

async function main() {
  const env = parseEnv();
  const services = await resolveServices(env, say);
  const config = buildConfig(env, services);
  const app = await createApp(config);
  app.getHttpAdapter().getInstance().addHook('onClose', async () => services.stop());
  if (config.role === 'worker') {
    // Jobs only: the module graph starts (workers, schedules, the socket adapter for emits) but nothing listens.
    await app.init();
    say('worker started: processing jobs, no HTTP listener');
    return;
  }
  await app.listen({ port: config.port, host: config.host });
  say(`listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);
}

main().catch((error: unknown) => {
  // A configuration problem is one clear line; anything else is a crash with its stack.
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
