import { Injectable, Logger } from '@nestjs/common';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { SecretBoxRepository } from '@/modules/bridge/repositories/secret-box.repository';
import { credentialAad, secretAad } from './channel.service';

/** Key rotation: values sealed with an old key (BRIDGE_ENCRYPTION_KEYS_OLD) are sealed again with the current one. */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger('BridgeSecrets');

  constructor(
    private readonly channels: ChannelRepository,
    private readonly box: SecretBoxRepository,
  ) {}

  async hasStale(): Promise<boolean> {
    return (await this.channels.listAllSealed()).some((r) => this.box.isStale(r.credentialsSealed) || this.box.isStale(r.webhookSecretSealed));
  }

  async reencrypt(): Promise<{ resealed: number; unreadable: number }> {
    let resealed = 0;
    let unreadable = 0;
    for (const row of await this.channels.listAllSealed()) {
      if (!this.box.isStale(row.credentialsSealed) && !this.box.isStale(row.webhookSecretSealed)) continue;
      let after: { credentialsSealed: string; webhookSecretSealed: string };
      try {
        after = {
          credentialsSealed: this.box.seal(this.box.open(row.credentialsSealed, credentialAad(row.id)), credentialAad(row.id)),
          webhookSecretSealed: this.box.seal(this.box.open(row.webhookSecretSealed, secretAad(row.id)), secretAad(row.id)),
        };
      } catch {
        // Sealed with a key this process no longer has: one such channel must not keep the others on the old key.
        unreadable++;
        this.logger.warn({ channelId: row.id }, 'channel secrets sealed with an unknown key: not re-sealed (add the key to BRIDGE_ENCRYPTION_KEYS_OLD)');
        continue;
      }
      if (await this.channels.reseal(row.id, row, after)) resealed++;
    }
    return { resealed, unreadable };
  }
}
