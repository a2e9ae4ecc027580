import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, offlineFor, readBody, route, sendJson, sleep } from './http';

/**
 * A fake OpenAI-compatible chat-completions server: `POST {url}/chat/completions` (url ends in /v1), non-streaming
 * JSON and `stream: true` server-sent events, with scripted replies (text, tool calls, delays, HTTP errors) and a
 * log of every request. Works with the `openai` npm client given `baseURL: fake.url`.
 */

export interface LlmToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface LlmReply {
  text?: string;
  toolCall?: LlmToolCall;
  toolCalls?: LlmToolCall[];
  /** Wait this long before answering (before the first chunk when streaming). */
  delayMs?: number;
  /** Answer with this HTTP status and an OpenAI error body instead of a completion. */
  status?: number;
  errorMessage?: string;
  /** Seconds for the Retry-After header of a 429. */
  retryAfter?: number;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

export interface LlmRequestRecord {
  body: Record<string, unknown>;
  authorization?: string;
  stream: boolean;
  at: number;
  /** The reply chosen for it (after scripts and defaults). */
  reply: LlmReply;
  /** True when the client went away before the answer was complete (its timeout, or an abort). */
  aborted: boolean;
}

export interface FakeLlm {
  /** The client's baseURL, ending in /v1. */
  url: string;
  /** Request bodies, in arrival order. */
  requests: Array<Record<string, unknown>>;
  /** The same requests with what the fake did with them. */
  log: LlmRequestRecord[];
  /** Queues a reply for the next request that has none (first in, first out). */
  script(reply: LlmReply): void;
  /** The reply when no scripted one is left; by default a short text that quotes the last user message. */
  defaultReply(reply: LlmReply | null): void;
  /** Computes replies in-process (takes precedence over the default, not over scripts). */
  respondWith(fn: ((body: Record<string, unknown>) => LlmReply) | null): void;
  /** Switch: every reply (scripted or not) waits this long more before answering; 0 turns it off. */
  setDelay(ms: number): void;
  /** Switch: every request answers with this HTTP error (OpenAI's error body) until called with null. */
  failWith(status: number | null, message?: string): void;
  reset(): void;
  /** Stops listening (clients get ECONNREFUSED) until called with false; see FakeServer.setOffline. */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface StartFakeLlmOptions {
  port?: number;
  host?: string;
  /** When set, requests without `Authorization: Bearer <apiKey>` get OpenAI's 401. */
  apiKey?: string;
  /** Called for every chat-completions request (the `pnpm fake:llm` log). */
  onRequest?: (record: LlmRequestRecord) => void;
}

const ERROR_TYPES: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Bad request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later' },
};

function errorBody(status: number, message?: string): Record<string, unknown> {
  const known = ERROR_TYPES[status] ?? ERROR_TYPES[status >= 500 ? 500 : 400];
  return { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } };
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  const content = last?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : ''))
      .join(' ')
      .trim();
  }
  return '';
}

/** A rough token count (about four characters a token), enough for usage figures and budget tests. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function toolCallsOf(reply: LlmReply): Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> {
  const calls = reply.toolCalls ?? (reply.toolCall ? [reply.toolCall] : []);
  return calls.map((call) => ({ id: `call_${randomBytes(12).toString('base64url')}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
}

export async function startFakeLlm(options: StartFakeLlmOptions = {}): Promise<FakeLlm> {
  const scripted: LlmReply[] = [];
  let fallback: LlmReply | null = null;
  let responder: ((body: Record<string, unknown>) => LlmReply) | null = null;
  let extraDelayMs = 0;
  let failure: { status: number; message?: string } | null = null;
  const state = { requests: [] as Array<Record<string, unknown>>, log: [] as LlmRequestRecord[] };

  function choose(body: Record<string, unknown>): LlmReply {
    const reply = pick(body);
    const withFailure = failure ? { ...reply, status: failure.status, ...(failure.message ? { errorMessage: failure.message } : {}) } : reply;
    return extraDelayMs > 0 ? { ...withFailure, delayMs: (withFailure.delayMs ?? 0) + extraDelayMs } : withFailure;
  }

  function pick(body: Record<string, unknown>): LlmReply {
    const next = scripted.shift();
    if (next) return next;
    if (responder) return responder(body);
    if (fallback) return fallback;
    const quoted = lastUserText(body);
    return { text: quoted ? `Fake answer to: ${quoted}` : 'Fake answer.' };
  }

  async function completions(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req, 16 * 1024 * 1024);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, errorBody(400, 'We could not parse the JSON body of your request.'));
    }
    const authorization = req.headers.authorization;
    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) return sendJson(res, 401, errorBody(401));
    if (typeof body.model !== 'string' || body.model === '') return sendJson(res, 400, errorBody(400, 'you must provide a model parameter'));
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return sendJson(res, 400, errorBody(400, "Invalid 'messages': empty array. Expected an array with minimum length 1."));
    }

    const reply = choose(body);
    const stream = body.stream === true;
    const record: LlmRequestRecord = { body, ...(authorization ? { authorization } : {}), stream, at: Date.now(), reply, aborted: false };
    state.requests.push(body);
    state.log.push(record);
    options.onRequest?.(record);
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true;
        record.aborted = true;
      }
    });

    if (reply.delayMs) await sleep(reply.delayMs);
    if (gone) return;
    if (reply.status && reply.status >= 400) {
      const headers: Record<string, string> = reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {};
      return sendJson(res, reply.status, errorBody(reply.status, reply.errorMessage), headers);
    }

    const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const toolCalls = toolCallsOf(reply);
    const text = reply.text ?? (toolCalls.length > 0 ? null : '');
    const finish = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
    const promptTokens = tokens(JSON.stringify(body.messages));
    const completionTokens = tokens((text ?? '') + toolCalls.map((call) => call.function.arguments).join(''));
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

    if (!stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
    const write = async (data: string) => {
      if (gone) return;
      res.write(data);
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    };
    await write(chunk({ role: 'assistant', content: toolCalls.length > 0 && text === null ? null : '', refusal: null }, null));
    for (const piece of (text ?? '').match(/\S+\s*|\s+/g) ?? []) await write(chunk({ content: piece }, null));
    for (const [index, call] of toolCalls.entries()) {
      await write(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null));
      for (let at = 0; at < call.function.arguments.length; at += 16) {
        await write(chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments.slice(at, at + 16) } }] }, null));
      }
    }
    await write(chunk({}, finish));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      await write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [], usage })}\n\n`);
    }
    if (!gone) res.end('data: [DONE]\n\n');
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string) {
    const raw = await readBody(req);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    if (req.method === 'GET' && (path === '/_fake' || path === '/_fake/requests')) return sendJson(res, 200, { requests: state.log, scripted });
    if (req.method === 'POST' && path === '/_fake/script') {
      const replies = Array.isArray(body.replies) ? (body.replies as LlmReply[]) : [body as LlmReply];
      scripted.push(...replies);
      return sendJson(res, 200, { scripted: scripted.length });
    }
    if (req.method === 'POST' && path === '/_fake/default') {
      fallback = Object.keys(body).length > 0 ? (body as LlmReply) : null;
      return sendJson(res, 200, { default: fallback });
    }
    if (req.method === 'POST' && path === '/_fake/offline') return offlineFor(server, res, body.ms);
    if (req.method === 'POST' && path === '/_fake/delay') {
      fake.setDelay(Number(body.ms ?? 0));
      return sendJson(res, 200, { delayMs: extraDelayMs });
    }
    if (req.method === 'POST' && path === '/_fake/fail') {
      fake.failWith(typeof body.status === 'number' ? body.status : null, typeof body.message === 'string' ? body.message : undefined);
      return sendJson(res, 200, { failure });
    }
    if (req.method === 'POST' && path === '/_fake/reset') {
      fake.reset();
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: `no control route ${req.method} ${path}` });
  }

  const server = await listen(
    async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname.replace(/\/+$/, '');
      if (path === '/_fake' || path.startsWith('/_fake/')) {
        try {
          await control(req, res, path);
        } catch (error) {
          sendJson(res, 400, { error: (error as Error).message });
        }
        return;
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') return completions(req, res);
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 1_700_000_000, owned_by: 'fake' }] });
      }
      const model = route('/v1/models/:id', path);
      if (req.method === 'GET' && model) return sendJson(res, 200, { id: model.id, object: 'model', created: 1_700_000_000, owned_by: 'fake' });
      return sendJson(res, 404, errorBody(404, `Unknown request URL: ${req.method} ${path}`));
    },
    { port: options.port, host: options.host },
  );

  const fake: FakeLlm = {
    url: `${server.url}/v1`,
    get requests() {
      return state.requests;
    },
    get log() {
      return state.log;
    },
    script: (reply) => {
      scripted.push(reply);
    },
    defaultReply: (reply) => {
      fallback = reply;
    },
    respondWith: (fn) => {
      responder = fn;
    },
    setDelay: (ms) => {
      extraDelayMs = Math.max(0, ms);
    },
    failWith: (status, message) => {
      failure = status === null ? null : { status, message };
    },
    reset: () => {
      scripted.length = 0;
      fallback = null;
      responder = null;
      extraDelayMs = 0;
      failure = null;
      state.requests = [];
      state.log = [];
    },
    setOffline: (offline) => server.setOffline(offline),
    close: () => server.close(),
  };
  return fake;
}
