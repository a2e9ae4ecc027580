import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import { JOB_QUEUES } from '@/core/jobs';
import { AuthService } from '@/services/auth.service';
import { forbidden, unauthorized } from '@/core/errors';
import { bearerToken } from './bearer';
import { sendError } from './http-exception.filter';
import { readCookie } from './media-cookie';

export const QUEUE_BOARD_PATH = '/admin/queues';
/** Holds an admin's access token for the board's own requests (its page cannot add a bearer header). */
export const BOARD_COOKIE = 'msg_board';

/**
 * Mounts the BullMQ board at /admin/queues for admins only: a bearer token with role admin, or the board
 * cookie set by `POST /api/v1/admin/queues/session`; anyone else gets 401/403 before the board sees the request.
 */
export async function mountQueueBoard(app: NestFastifyApplication): Promise<void> {
  const auth = app.get(AuthService);
  const board = new BoardAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  const queues = app.get<() => Queue[]>(JOB_QUEUES);
  const { setQueues } = createBullBoard({ queues: [], serverAdapter: board, options: { uiConfig: { boardTitle: 'Messenger jobs' } } });
  // The queues exist only once the application has started (after the Redis checks), so they are attached on first use.
  let attached = false;

  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const token = bearerToken(request.headers) ?? readCookie(request, BOARD_COOKIE);
        const caller = token ? await auth.authenticate(token) : null;
        if (!caller) return sendError(unauthorized('Sign in as an admin to see the job queues'), request, reply);
        if (caller.role !== 'admin') return sendError(forbidden('Only admins can see the job queues'), request, reply);
        if (!attached) {
          setQueues(queues().map((q) => new BullMQAdapter(q)));
          attached = true;
        }
      });
      // The board's types are built against another patch release of fastify; the plugin contract is the same.
      await scope.register(board.registerPlugin() as unknown as Parameters<typeof scope.register>[0]);
    },
    { prefix: QUEUE_BOARD_PATH },
  );
}
