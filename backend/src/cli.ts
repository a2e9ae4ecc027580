import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildConfig, ConfigError, parseEnv } from '@/core/config';
import { dataSourceOptions } from '@/core/database/data-source';
import { runMigrations } from '@/core/database/migrate';
import { resolveServices } from '@/core/embedded';
import { DomainException } from '@/core/errors';
import { UserEntity } from '@/models/user.entity';
import { UserRepository } from '@/repositories/user.repository';
import { UserService } from '@/services/user.service';

const USAGE = 'usage: cli user:role <login> <user|operator|admin>';
const quiet = () => undefined;

/** Administration from a shell, for when nobody can sign in as an admin: `pnpm --filter @messenger/backend cli user:role alice admin`. */
async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'user:role' || args.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const env = parseEnv();
  const services = await resolveServices(env, quiet);
  const config = buildConfig(env, services);
  const dataSource = new DataSource(dataSourceOptions(config.database.url, 1));
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    const users = new UserService(new UserRepository(dataSource.getRepository(UserEntity)));
    const user = await users.setRoleByLogin(args[0], args[1]);
    process.stdout.write(`${user.username} is now ${user.role}\n`);
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await services.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainException) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
