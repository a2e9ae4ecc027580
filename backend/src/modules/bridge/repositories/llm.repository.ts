import { Inject, Injectable } from '@nestjs/common';
import OpenAI from 'openai';
import { APP_CONFIG, type AppConfig } from '@/core/config';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  model: string;
  messages: LlmMessage[];
  tools: LlmTool[];
  temperature?: number;
  /** The request is abandoned after this long (no retries: the caller has a deadline). */
  timeoutMs: number;
}

export type LlmAnswer = { kind: 'text'; text: string } | { kind: 'tool'; name: string; arguments: Record<string, unknown> };

/** Why a completion did not come back; the key and request bodies never appear in it. */
export class LlmError extends Error {
  constructor(
    readonly reason: 'timeout' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/**
 * The model provider: any OpenAI-compatible chat-completions endpoint (AI_BASE_URL, AI_API_KEY), through the
 * `openai` client with its baseURL. One client per process; its key stays inside it.
 */
@Injectable()
export class LlmRepository {
  private client: OpenAI | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return !!this.config.ai.baseUrl;
  }

  async complete(request: LlmRequest): Promise<LlmAnswer> {
    const client = this.clientOrThrow();
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.tools.length
            ? { tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })) }
            : {}),
        },
        { timeout: request.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      if (error instanceof OpenAI.APIConnectionTimeoutError) throw new LlmError('timeout', `the model did not answer within ${request.timeoutMs} ms`);
      if (error instanceof OpenAI.APIError) throw new LlmError('error', this.scrub(`the model provider answered ${error.status ?? 'without a status'}: ${error.message}`).slice(0, 500));
      throw new LlmError('error', this.scrub(error instanceof Error ? error.message : String(error)));
    }
    const message = completion.choices[0]?.message;
    const call = message?.tool_calls?.find((c) => c.type === 'function');
    if (call && call.type === 'function') {
      let args: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(call.function.arguments || '{}');
        if (parsed && typeof parsed === 'object') args = parsed as Record<string, unknown>;
      } catch {
        // A tool call with broken arguments still says what the model wants to do.
      }
      return { kind: 'tool', name: call.function.name, arguments: args };
    }
    const text = message?.content?.trim();
    if (!text) throw new LlmError('error', 'the model answered with no text');
    return { kind: 'text', text };
  }

  /** Providers quote a rejected key in their error text; it must not reach a log line. */
  private scrub(text: string): string {
    const key = this.config.ai.apiKey;
    return key ? text.split(key).join('***') : text;
  }

  private clientOrThrow(): OpenAI {
    if (!this.config.ai.baseUrl) throw new LlmError('error', 'AI_BASE_URL is not set');
    // Some OpenAI-compatible servers take no key; the client insists on one, so a placeholder stands in.
    this.client ??= new OpenAI({ baseURL: this.config.ai.baseUrl, apiKey: this.config.ai.apiKey ?? 'none', maxRetries: 0 });
    return this.client;
  }
}
