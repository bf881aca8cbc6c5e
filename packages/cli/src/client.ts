import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { networkErrorMessage } from './network-errors.js';
import { MAX_LIST_LIMIT, SnekError, type Snek, type SnekErrorCode, type SnekPage } from '@snek/core';

export interface SnekClientOptions {
  url: string;
  token?: string | undefined;
  timeoutMs: number;
  userAgent: string;
}

const CODE_BY_STATUS: Record<number, SnekErrorCode> = { 400: 'SNEK_INVALID', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'SNEK_NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'SNEK_INVALID' };

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
    return this.request<SnekPage>('get', '/v1/sneks', { params: query });
  }

  /** One page, sent with If-None-Match when `etag` is given: 'not-modified' when the server answers 304. */
  async listIfChanged(query: { name?: string | undefined; type?: string | undefined; limit?: number }, etag: string | null | undefined): Promise<'not-modified' | { page: SnekPage; etag: string | undefined }> {
    const response = await this.send('get', '/v1/sneks', { params: query, headers: etag ? { 'if-none-match': etag } : {} });
    if (response.status === 304) return 'not-modified';
    const header = response.headers['etag'] as unknown;
    return { page: response.data as SnekPage, etag: typeof header === 'string' ? header : undefined };
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
    try {
      return await this.request<Snek>('get', `/v1/sneks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (SnekError.hasCode(error, 'SNEK_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async types(): Promise<Array<{ type: string; count: number }>> {
    return (await this.request<{ types: Array<{ type: string; count: number }> }>('get', '/v1/types')).types;
  }

  /** Returns true when the snek was created, false when it replaced one. */
  async put(snek: Snek): Promise<boolean> {
    const { id, ...body } = snek;
    const response = await this.send('put', `/v1/sneks/${encodeURIComponent(id)}`, { data: body });
    return response.status === 201;
  }

  async delete(id: string): Promise<void> {
    await this.send('delete', `/v1/sneks/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: 'get', path: string, config: { params?: object } = {}): Promise<T> {
    return (await this.send(method, path, config)).data as T;
  }

  private async send(method: 'get' | 'put' | 'delete', path: string, config: { params?: object; data?: unknown; headers?: Record<string, string> } = {}): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await this.http.request({ method, url: path, ...config });
    } catch (error) {
      throw this.networkError(error);
    }
    if (response.status < 400) return response;
    const problem = (typeof response.data === 'object' && response.data) as { detail?: string; code?: string } | false;
    const detail = problem && problem.detail ? problem.detail : `HTTP ${response.status}`;
    const code = CODE_BY_STATUS[response.status] ?? 'SERVER_ERROR';
    throw new SnekError(code, response.status >= 500 ? `the snek server at ${this.options.url} failed (${response.status}): ${detail}` : detail, { details: { status: response.status } });
  }

  private networkError(error: unknown): SnekError {
    const { code, message } = error as { code?: string; message?: string };
    const url = this.options.url;
    const known = networkErrorMessage(code, url, this.options.timeoutMs);
    return new SnekError('SERVER_UNREACHABLE', known ?? `cannot talk to the snek server at ${url} (${code ?? message}): check --url and your network`, { cause: error });
  }
}
