import { Injectable } from '@nestjs/common';
import { type JobHandler, JobName, type JobOutcome, type JobPayloads, type RebuiltJob } from '@/core/jobs';
import { AiAgentService } from '@/modules/bridge/services/ai-agent.service';

@Injectable()
export class AiReplyProcessor implements JobHandler<JobName.BridgeAiReply> {
  readonly name = JobName.BridgeAiReply;

  constructor(private readonly agent: AiAgentService) {}

  handle(data: JobPayloads[JobName.BridgeAiReply]): Promise<JobOutcome> {
    return this.agent.reply(data);
  }

  rebuild(): Promise<Array<RebuiltJob<JobName.BridgeAiReply>>> {
    return this.agent.owedReplies();
  }
}
