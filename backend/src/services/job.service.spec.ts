import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@/core/config';
import { type JobHandler, JobName } from '@/core/jobs';
import type { JobRepository } from '@/repositories/job.repository';
import { JobService } from './job.service';

const handler = (name: JobName): JobHandler => ({ name, handle: async () => undefined });
const all = () => Object.values(JobName).map(handler);

function setup(role: AppConfig['role']) {
  const jobs = { startWorkers: vi.fn(), schedule: vi.fn(async () => undefined), addBulk: vi.fn(async () => undefined) };
  const config = { role, jobs: { cleanupEverySeconds: 3600, sweepIntervalSeconds: 3600 } } as AppConfig;
  return { service: new JobService(config, jobs as unknown as JobRepository), jobs };
}

describe('JobService.start', () => {
  it('refuses to start while a job name has no handler, in every role', async () => {
    for (const role of ['all', 'api', 'worker'] as const) {
      const { service, jobs } = setup(role);
      await expect(service.start(all().filter((h) => h.name !== JobName.UserDigest))).rejects.toThrow(`No handler for job "${JobName.UserDigest}"`);
      expect(jobs.startWorkers).not.toHaveBeenCalled();
    }
  });

  it('refuses two handlers for one job', async () => {
    await expect(setup('all').service.start([...all(), handler(JobName.UploadsCleanup)])).rejects.toThrow(/Two handlers/);
  });

  it('runs workers and the cleanup schedule in the worker and all roles, not in the api role', async () => {
    for (const role of ['all', 'worker'] as const) {
      const { service, jobs } = setup(role);
      await service.start(all());
      expect(jobs.startWorkers).toHaveBeenCalledTimes(1);
      expect(jobs.schedule).toHaveBeenCalledWith(JobName.UploadsCleanup, {}, 3_600_000);
    }
    const api = setup('api');
    await api.service.start(all());
    expect(api.jobs.startWorkers).not.toHaveBeenCalled();
    expect(api.jobs.schedule).not.toHaveBeenCalled();
  });
});

describe('JobService.sweep', () => {
  it('queues the jobs each rebuilder says are owed, under their fixed ids, and declares the schedules again', async () => {
    const { service, jobs } = setup('worker');
    const thumbnails: JobHandler = {
      ...handler(JobName.AttachmentThumbnail),
      rebuild: async () => [{ jobId: 'thumbnail-a', data: { attachmentId: 'a' } }],
    };
    await service.start([thumbnails, ...all().filter((h) => h.name !== JobName.AttachmentThumbnail)]);
    jobs.schedule.mockClear();

    expect(await service.sweep()).toBe(1);
    expect(jobs.addBulk).toHaveBeenCalledWith([{ name: JobName.AttachmentThumbnail, data: { attachmentId: 'a' }, options: { jobId: 'thumbnail-a', delayMs: undefined } }]);
    expect(jobs.schedule).toHaveBeenCalledWith(JobName.UploadsCleanup, {}, 3_600_000);
    service.onApplicationShutdown();
  });

  it('survives a failed sweep (Redis away) and offers the jobs again on the next one', async () => {
    const { service, jobs } = setup('worker');
    const thumbnails: JobHandler = { ...handler(JobName.AttachmentThumbnail), rebuild: async () => [{ jobId: 'thumbnail-b', data: { attachmentId: 'b' } }] };
    await service.start([thumbnails, ...all().filter((h) => h.name !== JobName.AttachmentThumbnail)]);
    jobs.addBulk.mockRejectedValueOnce(new Error('the job queue is unavailable'));
    expect(await service.sweep()).toBe(0);
    expect(await service.sweep()).toBe(1);
    expect(jobs.addBulk).toHaveBeenCalledTimes(2);
    service.onApplicationShutdown();
  });
});
