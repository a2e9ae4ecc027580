import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../fakes/llm';

/** The fake OpenAI-compatible server driven by the `openai` npm client. */

const handoffTool = {
  type: 'function' as const,
  function: {
    name: 'handoff_to_human',
    description: 'Pass the conversation to a person',
    parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
};

describe('fake OpenAI-compatible LLM', () => {
  let llm: FakeLlm;
  let client: OpenAI;

  beforeAll(async () => {
    llm = await startFakeLlm({ apiKey: 'test-key' });
    client = new OpenAI({ apiKey: 'test-key', baseURL: llm.url, maxRetries: 0 });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => llm.reset());

  it('answers a scripted text, records the request, then falls back to the default reply', async () => {
    llm.script({ text: 'Доставка завтра.' });
    const first = await client.chat.completions.create({
      model: 'fake-model',
      messages: [
        { role: 'system', content: 'You are a shop assistant' },
        { role: 'user', content: 'Когда доставка?' },
      ],
      tools: [handoffTool],
    });
    expect(first.choices[0].message.content).toBe('Доставка завтра.');
    expect(first.choices[0].finish_reason).toBe('stop');
    expect(first.usage?.total_tokens).toBeGreaterThan(0);
    expect(llm.requests[0]).toMatchObject({ model: 'fake-model', tools: [handoffTool], messages: [{ role: 'system' }, { role: 'user', content: 'Когда доставка?' }] });
    expect(llm.log[0].authorization).toBe('Bearer test-key');

    const second = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(second.choices[0].message.content).toBe('Fake answer to: Hi');
    llm.defaultReply({ text: 'Always this' });
    const third = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(third.choices[0].message.content).toBe('Always this');
  });

  it('returns a tool call with JSON-string arguments and finish_reason tool_calls', async () => {
    llm.script({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'customer asked for a manager' } } });
    const completion = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Позовите менеджера' }], tools: [handoffTool] });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('handoff_to_human');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'customer asked for a manager' });
  });

  it('streams text and tool calls as server-sent events', async () => {
    llm.script({ text: 'Да, товар в наличии, приезжайте.' });
    const stream = await client.chat.completions.create({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'В наличии?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toBe('Да, товар в наличии, приезжайте.');
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage).toBeGreaterThan(0);
    expect(llm.log[0].stream).toBe(true);

    llm.script({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'a long reason that spans several streamed chunks' } } });
    const runner = client.chat.completions.stream({ model: 'fake-model', messages: [{ role: 'user', content: 'человек' }], tools: [handoffTool] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('handoff_to_human');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'a long reason that spans several streamed chunks' });
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  it('delays replies (a client timeout aborts and is recorded) and answers HTTP errors with OpenAI bodies', async () => {
    llm.script({ text: 'slow', delayMs: 4000 });
    const started = Date.now();
    await expect(client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }, { timeout: 300 })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    await expect.poll(() => llm.log[0]?.aborted, { timeout: 3000 }).toBe(true);

    llm.script({ text: 'on time', delayMs: 200 });
    const slowButOk = Date.now();
    const ok = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] });
    expect(ok.choices[0].message.content).toBe('on time');
    expect(Date.now() - slowButOk).toBeGreaterThanOrEqual(190);

    llm.script({ status: 500 });
    const server = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(server).toBeInstanceOf(OpenAI.InternalServerError);
    expect((server as InstanceType<typeof OpenAI.APIError>).status).toBe(500);

    llm.script({ status: 429, retryAfter: 2 });
    const limited = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('2');

    const wrongKey = new OpenAI({ apiKey: 'wrong', baseURL: llm.url, maxRetries: 0 });
    await expect(wrongKey.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });

  it('is scripted over the /_fake control surface', async () => {
    const base = llm.url.replace(/\/v1$/, '');
    await fetch(`${base}/_fake/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replies: [{ text: 'one' }, { toolCall: { name: 'handoff_to_human', arguments: { reason: 'two' } } }] }),
    });
    const one = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'a' }] });
    const two = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'b' }] });
    expect(one.choices[0].message.content).toBe('one');
    expect(two.choices[0].finish_reason).toBe('tool_calls');
    const log = (await (await fetch(`${base}/_fake/requests`)).json()) as { requests: unknown[] };
    expect(log.requests).toHaveLength(2);
  });

  it('has switches for every request: a delay and an HTTP error, also over /_fake/delay and /_fake/fail', async () => {
    const ask = () => client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
    llm.setDelay(400);
    llm.script({ text: 'scripted' });
    let started = Date.now();
    expect((await ask()).choices[0].message.content).toBe('scripted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    llm.setDelay(0);

    llm.failWith(503);
    await expect(ask()).rejects.toMatchObject({ status: 503 });
    await expect(ask()).rejects.toMatchObject({ status: 503 });
    llm.failWith(null);
    expect((await ask()).choices[0].message.content).toBe('Fake answer to: hi');

    const base = llm.url.replace(/\/v1$/, '');
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/_fake/fail', { status: 500, message: 'down for a moment' });
    await expect(ask()).rejects.toMatchObject({ status: 500, message: expect.stringContaining('down for a moment') });
    await post('/_fake/fail', { status: null });
    await post('/_fake/delay', { ms: 300 });
    started = Date.now();
    await ask();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    await post('/_fake/delay', { ms: 0 });
  });
});
