import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { networkErrorMessage } from './network-errors.js';
import { isAuthMethods, isWhoAmI, type AuthMethods, type WhoAmI } from './auth-answers.js';
import { isRevisionPage, isSnek, isSnekPage, isTypeCounts, notSnekApiMessage, snekProblem, type Revision } from './snek-answers.js';
import { MAX_LIST_LIMIT, SNEK_ERROR_CODES, SnekError, type Snek, type SnekErrorCode, type SnekPage } from '@snek/core';

export interface SnekClientOptions {
  url: string;
  token?: string | undefined;
  timeoutMs: number;
  userAgent: string;
  /** Added to a 401's message: what to do about this token, e.g. run snek login again. */
  unauthorizedHint?: string | undefined;
}

type Method = 'get' | 'put' | 'post' | 'delete';
type RequestConfig = { params?: object; data?: unknown; headers?: Record<string, string> };

// A problem whose code this CLI does not know yet is read by its status; a 404 is "no such snek" only when it says so.
const CODE_BY_STATUS: Record<number, SnekErrorCode> = { 400: 'SNEK_INVALID', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 412: 'PRECONDITION_FAILED', 413: 'PAYLOAD_TOO_LARGE', 415: 'SNEK_INVALID' };
const KNOWN_CODES = new Set<string>(SNEK_ERROR_CODES);
// The largest page of revisions a server gives.
const MAX_REVISIONS_PAGE = 500;

/** Retry-After as people read it: "30 s", or "a minute" when the answer gives no seconds. */
function retryAfter(response: AxiosResponse): string {
  const seconds = Number(response.headers['retry-after']);
  return Number.isInteger(seconds) && seconds >= 0 ? `${seconds} s` : 'a minute';
}

/** The HTTP side of the CLI: one method per API call, every failure turned into a SnekError. */
export class SnekClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: SnekClientOptions) {
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      headers: { 'user-agent': options.userAgent, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  async list(query: { name?: string | undefined; type?: string | undefined; limit?: number; cursor?: string | undefined }): Promise<SnekPage> {
    return this.expect(await this.send('get', '/v1/sneks', { params: query }), isSnekPage);
  }

  /** GET /v1/sneks?q=: the best `limit` results, best first; `scanned` when the server ranked only part of a store. */
  async search(query: { q: string; type?: string | undefined; limit: number }): Promise<SnekPage & { scanned?: boolean }> {
    return this.expect(await this.send('get', '/v1/sneks', { params: query }), isSnekPage);
  }

  /** One page, sent with If-None-Match when `etag` is given: 'not-modified' when the server answers 304. */
  async listIfChanged(query: { name?: string | undefined; type?: string | undefined; limit?: number }, etag: string | null | undefined): Promise<'not-modified' | { page: SnekPage; etag: string | undefined }> {
    const response = await this.send('get', '/v1/sneks', { params: query, headers: etag ? { 'if-none-match': etag } : {} });
    if (response.status === 304) return 'not-modified';
    const header = response.headers['etag'] as unknown;
    return { page: this.expect(response, isSnekPage), etag: typeof header === 'string' ? header : undefined };
  }

  /** Follows cursors until the last page, or until `max` sneks. */
  async listAll(filters: { name?: string | undefined; type?: string | undefined }, max = Infinity): Promise<Snek[]> {
    const sneks: Snek[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...filters, limit: MAX_LIST_LIMIT, cursor });
      sneks.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && sneks.length < max);
    return sneks;
  }

  async get(id: string): Promise<Snek | undefined> {
    return (await this.getTagged(id))?.snek;
  }

  /** The snek and its ETag, or undefined when there is none. */
  async getTagged(id: string): Promise<{ snek: Snek; etag: string | undefined } | undefined> {
    try {
      const response = await this.send('get', `/v1/sneks/${encodeURIComponent(id)}`);
      const header = response.headers['etag'] as unknown;
      return { snek: this.expect(response, isSnek), etag: typeof header === 'string' ? header : undefined };
    } catch (error) {
      if (SnekError.hasCode(error, 'SNEK_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** One page of a snek's history, newest first. */
  async revisions(id: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Revision[]; nextCursor: string | null }> {
    return this.expect(await this.sendToNewRoute('get', `/v1/sneks/${encodeURIComponent(id)}/revisions`, 'keep history', { params: page }), isRevisionPage);
  }

  /** A snek's history, newest first: every page, or the newest `max` revisions. */
  async allRevisions(id: string, max = Infinity): Promise<Revision[]> {
    const revisions: Revision[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.revisions(id, { limit: Math.min(MAX_REVISIONS_PAGE, max - revisions.length), cursor });
      revisions.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && revisions.length < max);
    return revisions;
  }

  /**
   * Makes revision `seq` current again, with `preconditions` as headers (If-Match of the snek the caller saw, or
   * If-None-Match: * when it saw none). Returns true when the restore created the snek.
   */
  async restore(id: string, seq: number, preconditions: Record<string, string>): Promise<boolean> {
    const response = await this.sendToNewRoute('post', `/v1/sneks/${encodeURIComponent(id)}/revisions/${seq}/restore`, 'restore revisions', { headers: preconditions });
    this.expect(response, (data) => (response.status === 200 || response.status === 201) && isSnek(data));
    return response.status === 201;
  }

  async types(): Promise<Array<{ type: string; count: number }>> {
    return this.expect(await this.send('get', '/v1/types'), isTypeCounts).types;
  }

  /** GET /v1/auth: the ways to sign in; needs no token. */
  async auth(): Promise<AuthMethods> {
    return this.expect(await this.sendToNewRoute('get', '/v1/auth', 'say how to sign in'), isAuthMethods);
  }

  /** GET /v1/whoami: who the server takes the token for, and its scopes. */
  async whoami(): Promise<WhoAmI> {
    return this.expect(await this.sendToNewRoute('get', '/v1/whoami', 'say who you are'), isWhoAmI);
  }

  /** A call of a route that servers older than this CLI lack: their 404 says so, rather than "not a Snek API". */
  private async sendToNewRoute(method: Method, path: string, what: string, config: RequestConfig = {}): Promise<AxiosResponse> {
    try {
      return await this.send(method, path, config);
    } catch (error) {
      if (!SnekError.hasCode(error, 'SERVER_ERROR') || error.details?.['status'] !== 404) throw error;
      throw new SnekError('SERVER_ERROR', `the snek server at ${this.options.url} does not ${what} (${method.toUpperCase()} ${path} answered 404): it may be older than this CLI, or --url names another server`, { cause: error, details: error.details });
    }
  }

  /**
   * Creates the snek, or with `replace` creates or replaces it. Without `replace` it sends
   * `If-None-Match: *`, so a snek already there fails with PRECONDITION_FAILED, whose details name it.
   * Returns true when the snek was created, false when it replaced one.
   */
  async put(snek: Snek, options: { replace: boolean }): Promise<boolean> {
    const { id, ...body } = snek;
    const headers: Record<string, string> = options.replace ? {} : { 'if-none-match': '*' };
    let response: AxiosResponse;
    try {
      response = await this.send('put', `/v1/sneks/${encodeURIComponent(id)}`, { data: body, headers });
    } catch (error) {
      if (SnekError.hasCode(error, 'PRECONDITION_FAILED')) throw await this.alreadyThere(id, error);
      throw error;
    }
    this.expect(response, (data) => (response.status === 200 || response.status === 201) && isSnek(data));
    return response.status === 201;
  }

  async delete(id: string): Promise<void> {
    const response = await this.send('delete', `/v1/sneks/${encodeURIComponent(id)}`);
    this.expect(response, () => response.status === 204);
  }

  /**
   * GET /v1/changes/stream: the body as it arrives, once the server answers 200 within the timeout (the timeout is
   * for the answer's headers alone: the body may take forever). A refusal or a failure to connect is the SnekError
   * any other call would give. `signal` cuts the stream off.
   */
  async changeStream(query: { type?: string | undefined; lastEventId?: string | undefined }, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const request = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, this.options.timeoutMs);
    const cut = () => request.abort();
    if (signal.aborted) cut();
    signal.addEventListener('abort', cut, { once: true });
    let response: AxiosResponse<Readable>;
    try {
      response = await this.http.request<Readable>({
        method: 'get',
        url: '/v1/changes/stream',
        params: query.type === undefined ? {} : { type: query.type },
        headers: { accept: 'text/event-stream', ...(query.lastEventId ? { 'last-event-id': query.lastEventId } : {}) },
        responseType: 'stream',
        timeout: 0,
        signal: request.signal,
      });
    } catch (error) {
      signal.removeEventListener('abort', cut);
      if (signal.aborted) throw error;
      throw this.networkError(timedOut ? { code: 'ETIMEDOUT' } : error);
    } finally {
      clearTimeout(timer);
    }
    const contentType = response.headers['content-type'] as unknown;
    if (response.status === 200 && typeof contentType === 'string' && contentType.startsWith('text/event-stream')) return response.data;
    signal.removeEventListener('abort', cut);
    // A refusal's problem+json, read whole (a page that is not the API's, only its start).
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.data as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      if ((size += chunk.length) > 65_536) break;
    }
    response.data.destroy();
    let data: unknown;
    try {
      data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      data = undefined;
    }
    if (response.status < 400) throw new SnekError('SERVER_ERROR', notSnekApiMessage(this.options.url, response.status, response.headers['content-type']), { details: { status: response.status } });
    throw this.failure({ ...response, data });
  }

  /** "already exists (NAME, type TYPE)": from the 412's `current`, else from a GET of the snek. */
  private async alreadyThere(id: string, error: SnekError): Promise<SnekError> {
    const named = (value: unknown): value is { name: string; type: string } => typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['name'] === 'string' && typeof (value as Record<string, unknown>)['type'] === 'string';
    const fromBody = error.details?.['current'];
    const current = named(fromBody) ? fromBody : await this.get(id).catch(() => undefined);
    const what = current ? ` (${current.name}, type ${current.type})` : '';
    return new SnekError('PRECONDITION_FAILED', `"${id}" already exists${what}; pass --replace to overwrite it`, { details: error.details ?? {} });
  }

  /** The answer's body, if it has the shape a Snek API gives; else the error that says --url is wrong. */
  private expect<T>(response: AxiosResponse, shape: (data: unknown) => data is T): T;
  private expect(response: AxiosResponse, shape: (data: unknown) => boolean): unknown;
  private expect(response: AxiosResponse, shape: (data: unknown) => boolean): unknown {
    if (shape(response.data)) return response.data;
    throw new SnekError('SERVER_ERROR', notSnekApiMessage(this.options.url, response.status, response.headers['content-type']), { details: { status: response.status } });
  }

  private async send(method: Method, path: string, config: RequestConfig = {}): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await this.http.request({ method, url: path, ...config });
    } catch (error) {
      throw this.networkError(error);
    }
    if (response.status < 400) return response;
    throw this.failure(response);
  }

  private failure(response: AxiosResponse): SnekError {
    const { status } = response;
    const problem = snekProblem(response.headers['content-type'], response.data);
    const detail = problem && typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`;
    // A 429 from a proxy in front is no Snek problem, but it means the same: try later.
    if (status === 429) return new SnekError('RATE_LIMITED', problem?.code === 'RATE_LIMITED' && typeof problem.detail === 'string' ? problem.detail : `the snek server at ${this.options.url} is taking no more requests from you for now (429 Too Many Requests); try again in ${retryAfter(response)}`, { details: { status } });
    if (status >= 500) return new SnekError('SERVER_ERROR', `the snek server at ${this.options.url} failed (${status}): ${detail}`, { details: { status } });
    // Not Snek's problem+json, or Snek's "no such route": the URL is not the API's.
    if (!problem || problem.code === 'ROUTE_NOT_FOUND') return new SnekError('SERVER_ERROR', notSnekApiMessage(this.options.url, status, response.headers['content-type']), { details: { status } });
    const code = KNOWN_CODES.has(problem.code) ? (problem.code as SnekErrorCode) : (CODE_BY_STATUS[status] ?? 'SERVER_ERROR');
    const { code: _code, ...details } = problem;
    const hint = status === 401 && this.options.unauthorizedHint ? ` ${this.options.unauthorizedHint}` : '';
    return new SnekError(code, `${detail}${hint}`, { details: { ...details, status } });
  }

  private networkError(error: unknown): SnekError {
    const { code, message } = error as { code?: string; message?: string };
    const url = this.options.url;
    const known = networkErrorMessage(code, url, this.options.timeoutMs);
    return new SnekError('SERVER_UNREACHABLE', known ?? `cannot talk to the snek server at ${url} (${code ?? message}): check --url and your network`, { cause: error });
  }
}
