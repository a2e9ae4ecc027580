import { expect } from 'vitest';

/** What every generated-client call resolves to when throwOnError is off. */
export interface ClientResult {
  response: Response;
  error?: unknown;
  data?: unknown;
}

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  fields?: string[];
  correlationId?: string;
}

/** Asserts the status and, when given, that the error names the field both in `fields` and in the message. */
export async function expectError(call: Promise<ClientResult>, status: number, field?: string): Promise<ErrorBody> {
  const result = await call;
  const body = result.error as ErrorBody;
  expect({ status: result.response.status, body }).toMatchObject({ status, body: { statusCode: status } });
  if (field) {
    expect(body.fields ?? []).toContain(field);
    expect(body.message).toContain(field);
  }
  return body;
}
