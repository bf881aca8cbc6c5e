import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** A response as a test saw it. */
export interface ObservedResponse {
  method: string;
  /** The request target as sent, query string included. */
  path: string;
  status: number;
  contentType: string;
  body: string;
}

interface Document {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}
type Responses = Record<string, { $ref?: string; content?: Record<string, { schema?: object }> }>;

// Swagger UI's own files, served for /docs: static assets, not operations of the API.
const NOT_API = /^\/docs\/(?:init\.js$|assets\/)/;
// Answers to a path or method no operation has: before routing (broken HTTP, 431), auth on a private server, 404,
// 405 for a method the path lacks, and 429 once a server with limits has counted too many.
const UNMATCHED_STATUSES = new Set([400, 401, 403, 404, 405, 429, 431]);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server's own OpenAPI document as a checker: a response passes only if the document has the operation
 * for its method and path, the status, the content type, and a schema the body satisfies (ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1).
 */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<[RegExp, string]>;

  constructor(private readonly document: Document) {
    // Literal paths win over templated ones, as in express's route order for ours.
    this.templates = Object.keys(document.paths)
      .filter((path) => path.includes('{'))
      .map((path) => [new RegExp(`^${path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}$`), path]);
  }

  /** What is wrong with a response, one line each; empty when the document describes it. */
  problems(observed: ObservedResponse): string[] {
    const path = observed.path.split('?')[0]!;
    const where = `${observed.method} ${observed.path.slice(0, 120)} → ${observed.status} ${observed.contentType || '(no content type)'}`;
    if (NOT_API.test(path)) return [];
    const operation = this.operation(observed.method, path);
    if (!operation) {
      if (!UNMATCHED_STATUSES.has(observed.status)) return [`${where}: no operation for this method and path, so only a 4xx problem may answer`];
      return this.checkBody(where, 'problem', { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }, observed);
    }
    const responses = operation.responses as Responses;
    const key = [String(observed.status), `${String(observed.status)[0]}XX`, 'default'].find((k) => k in responses);
    if (!key) return [`${where}: status ${observed.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const response = this.resolve(responses[key]!);
    return this.checkBody(where, `${operation.operationId as string}:${key}`, response.content, observed);
  }

  /** Throws, listing every problem, unless the document describes the response. */
  assert(observed: ObservedResponse): void {
    const problems = this.problems(observed);
    if (problems.length) throw new Error(`The response does not match /openapi.json:\n  ${problems.join('\n  ')}`);
  }

  private operation(method: string, path: string): Record<string, unknown> | undefined {
    const key = path in this.document.paths ? path : this.templates.find(([pattern]) => pattern.test(path))?.[1];
    const item = key === undefined ? undefined : this.document.paths[key];
    const name = method.toLowerCase();
    return item && METHODS.has(name) ? (item[name] as Record<string, unknown> | undefined) : undefined;
  }

  private resolve<T extends { $ref?: string }>(value: T): T {
    if (!value.$ref) return value;
    const target = value.$ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], this.document);
    return this.resolve(target as T);
  }

  private checkBody(where: string, id: string, content: Record<string, { schema?: object }> | undefined, observed: ObservedResponse): string[] {
    if (!content) return observed.body === '' ? [] : [`${where}: the document describes no body, but one came (${observed.body.slice(0, 80)})`];
    const mediaType = observed.contentType.split(';')[0]!.trim().toLowerCase();
    const media = content[mediaType];
    if (!media) return [`${where}: content type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
    if (!media.schema) return [];
    let value: unknown = observed.body;
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        value = JSON.parse(observed.body);
      } catch {
        return [`${where}: the body is not JSON (${observed.body.slice(0, 80)})`];
      }
    }
    const validate = this.validator(`${id}:${mediaType}`, media.schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${where}: body${error.instancePath} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
  }

  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // The document's components travel with each schema, so its "#/components/..." references resolve.
      validate = this.ajv.compile({ ...schema, components: this.document.components });
      this.validators.set(key, validate);
    }
    return validate;
  }
}

const contracts = new Map<string, Promise<ApiContract>>();

/** The contract a running server publishes at /openapi.json; a token is needed only if its reads are private. */
export function contractOf(baseUrl: string, token?: string): Promise<ApiContract> {
  const key = `${baseUrl} ${token ?? ''}`;
  let contract = contracts.get(key);
  if (!contract) {
    contract = (async () => {
      const response = await fetch(`${baseUrl}/openapi.json`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (response.status !== 200) throw new Error(`GET ${baseUrl}/openapi.json answered ${response.status}; pass a token with the read scope`);
      return new ApiContract((await response.json()) as Document);
    })();
    contracts.set(key, contract);
    contract.catch(() => contracts.delete(key));
  }
  return contract;
}

/** fetch(), and a failed test unless /openapi.json describes the response (status, content type, body). */
export async function apiFetch(contract: ApiContract, baseUrl: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(baseUrl + pathname, init);
  contract.assert({
    method: init.method ?? 'GET',
    path: pathname,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.clone().text(),
  });
  return response;
}
