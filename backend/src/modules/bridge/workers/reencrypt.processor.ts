import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName } from '@/core/jobs';
import { SecretsService } from '@/modules/bridge/services/secrets.service';

@Injectable()
export class ReencryptProcessor implements JobHandler<JobName.BridgeReencrypt> {
  readonly name = JobName.BridgeReencrypt;

  constructor(private readonly secrets: SecretsService) {}

  async handle(): Promise<void> {
    await this.secrets.reencrypt();
  }
}
