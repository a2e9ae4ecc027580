import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { SecretBoxRepository } from '@/modules/bridge/repositories/secret-box.repository';
import { credentialAad, secretAad } from './channel.service';

/** Key rotation: values sealed with an old key (BRIDGE_ENCRYPTION_KEYS_OLD) are sealed again with the current one. */
@Injectable()
export class SecretsService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly box: SecretBoxRepository,
  ) {}

  async hasStale(): Promise<boolean> {
    return (await this.channels.listAllSealed()).some((r) => this.box.isStale(r.credentialsSealed) || this.box.isStale(r.webhookSecretSealed));
  }

  async reencrypt(): Promise<{ resealed: number }> {
    let resealed = 0;
    for (const row of await this.channels.listAllSealed()) {
      if (!this.box.isStale(row.credentialsSealed) && !this.box.isStale(row.webhookSecretSealed)) continue;
      const after = {
        credentialsSealed: this.box.seal(this.box.open(row.credentialsSealed, credentialAad(row.id)), credentialAad(row.id)),
        webhookSecretSealed: this.box.seal(this.box.open(row.webhookSecretSealed, secretAad(row.id)), secretAad(row.id)),
      };
      if (await this.channels.reseal(row.id, row, after)) resealed++;
    }
    return { resealed };
  }
}
